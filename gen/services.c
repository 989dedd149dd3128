/* The registry-to-services rules: names, numbers, protocols, aliases, duplicates. */
#include <stdlib.h>
#include <string.h>

#include "db-format.h"
#include "diag.h"
#include "services.h"

const char *const svc_protos[SVC_NPROTOS] = { "tcp", "udp", "sctp", "dccp" };

int svc_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IANA_NAME_MAX)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == '#')
			return 0;
	return 1;
}

/* "N" or "N-M", decimal, 0 <= N <= M <= 65535.  0, or -1 with *why set. */
static int parse_number(const char *s, uint16_t *lo, uint16_t *hi, const char **why)
{
	unsigned long v[2] = { 0, 0 };
	int k = 0, digits = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			v[k] = v[k] * 10 + (unsigned long)(*p - '0');
			if (v[k] > 65535) {
				*why = "port number above 65535";
				return -1;
			}
			digits++;
		} else if (*p == '-' && k == 0 && digits > 0) {
			k = 1;
			digits = 0;
		} else {
			*why = "not a port number or range N-M";
			return -1;
		}
	}
	if (digits == 0) {
		*why = "not a port number or range N-M";
		return -1;
	}
	if (k == 0)
		v[1] = v[0];
	if (v[0] > v[1]) {
		*why = "range ends before it starts";
		return -1;
	}
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)v[1];
	return 0;
}

/* The X of 'This entry is an alias to "X"' or 'This is a duplicate of the "X" service'. */
static char *alias_target(const char *note)
{
	static const char *const marks[] = {
		"This entry is an alias to \"", "This is a duplicate of the \"",
	};

	if (note == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *p = strstr(note, marks[i]), *q;

		if (p == NULL)
			continue;
		p += strlen(marks[i]);
		q = strchr(p, '"');
		if (q == NULL || q == p)
			continue;
		char *t = xmalloc((size_t)(q - p) + 1);

		memcpy(t, p, (size_t)(q - p));
		t[q - p] = '\0';
		return t;
	}
	return NULL;
}

static int proto_index(const char *p)
{
	for (int i = 0; i < SVC_NPROTOS; i++)
		if (strcmp(svc_protos[i], p) == 0)
			return i;
	return -1;
}

static int has_string(const struct svc_entry *e, const char *s)
{
	if (strcmp(e->name, s) == 0)
		return 1;
	for (unsigned i = 0; i < e->nalias; i++)
		if (strcmp(e->aliases[i], s) == 0)
			return 1;
	return 0;
}

static void add_alias(const char *file, struct svc_entry *t, const char *s)
{
	if (has_string(t, s))
		return;
	if (t->nalias == IANA_MAX_ALIASES) {
		diag_warning(file, t->line, "%s %u/%s has more than %d aliases; %s is dropped",
			     t->name, t->lo, svc_protos[t->proto], IANA_MAX_ALIASES, s);
		return;
	}
	t->aliases = xreallocarray(t->aliases, t->nalias + 1, sizeof(char *));
	t->aliases[t->nalias++] = xstrdup(s);
}

/* Identical (name, protocol, range) entries: an open-addressing set of indexes. */
struct dupset {
	size_t *slot;
	size_t cap;
};

static uint64_t entry_key(const struct svc_entry *e)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (const char *p = e->name; *p; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
	return iana_mix64(h ^ e->proto ^ (uint64_t)e->lo << 8 ^ (uint64_t)e->hi << 24);
}

static int same_entry(const struct svc_entry *a, const struct svc_entry *b)
{
	return a->proto == b->proto && a->lo == b->lo && a->hi == b->hi &&
	       strcmp(a->name, b->name) == 0;
}

/* Insert entry i unless an identical one is there: 1 inserted, 0 duplicate. */
static int dupset_insert(struct dupset *d, const struct svc_entry *e, size_t i)
{
	size_t mask = d->cap - 1, k = (size_t)entry_key(&e[i]) & mask;

	for (; d->slot[k] != 0; k = (k + 1) & mask)
		if (same_entry(&e[d->slot[k] - 1], &e[i]))
			return 0;
	d->slot[k] = i + 1;
	return 1;
}

static void fold_aliases(const char *file, struct svc_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct svc_entry *a = &l->e[i];
		struct svc_entry *t = NULL;

		if (a->alias_of == NULL)
			continue;
		for (size_t j = 0; j < l->n && t == NULL; j++) {
			struct svc_entry *c = &l->e[j];

			if (j != i && !c->folded && c->proto == a->proto && c->lo == a->lo &&
			    c->hi == a->hi && has_string(c, a->alias_of))
				t = c;
		}
		if (t == NULL)
			continue;     /* no such entry there: it stays one of its own */
		add_alias(file, t, a->name);
		for (unsigned k = 0; k < a->nalias; k++)
			add_alias(file, t, a->aliases[k]);
		a->folded = 1;
	}
}

int svc_from_registry(const struct registry *reg, const struct svc_options *opt,
		      struct svc_list *out)
{
	struct dupset dups;
	size_t cap = 0, kept = 0;
	unsigned errors = diag_errors;

	memset(out, 0, sizeof(*out));
	out->updated = reg->updated;
	dups.cap = 16;
	while (dups.cap < 4 * reg->n_records + 16)
		dups.cap *= 2;
	dups.slot = xcalloc(dups.cap, sizeof(size_t));

	for (size_t i = 0; i < reg->n_records; i++) {
		const struct reg_record *r = &reg->records[i];
		uint16_t lo, hi;
		const char *why;
		int protos[2], np = 0;

		if (r->number != NULL && parse_number(r->number, &lo, &hi, &why) < 0) {
			diag_error(reg->file, r->line, "<number>%s</number>: %s", r->number, why);
			continue;
		}
		if (r->name == NULL || r->name[0] == '\0' || r->number == NULL)
			continue;     /* Reserved, Unassigned, or a DNS-SD-only name */
		if (!svc_valid_name(r->name)) {
			diag_warning(reg->file, r->line,
				     "service name \"%s\" cannot be written in services(5) "
				     "(1-15 printable characters, no white space or '#'); skipped",
				     r->name);
			continue;
		}
		if (r->protocol == NULL || r->protocol[0] == '\0') {
			protos[np++] = 0;
			protos[np++] = 1;
		} else if ((protos[0] = proto_index(r->protocol)) >= 0) {
			np = 1;
		} else if (opt->strict) {
			diag_error(reg->file, r->line, "unknown protocol \"%s\" for %s", r->protocol, r->name);
			continue;
		} else {
			diag_warning(reg->file, r->line, "unknown protocol \"%s\" for %s; skipped",
				     r->protocol, r->name);
			continue;
		}
		for (int k = 0; k < np; k++) {
			struct svc_entry *e;

			if (out->n == cap) {
				cap = cap ? 2 * cap : 1024;
				out->e = xreallocarray(out->e, cap, sizeof(*out->e));
			}
			e = &out->e[out->n];
			memset(e, 0, sizeof(*e));
			e->name = r->name;
			e->proto = (unsigned)protos[k];
			e->lo = lo;
			e->hi = hi;
			e->line = r->line;
			if (!dupset_insert(&dups, out->e, out->n))
				continue;     /* identical to an earlier record: kept once */
			e->name = xstrdup(r->name);
			e->alias_of = alias_target(r->note);
			out->n++;
		}
	}
	free(dups.slot);

	fold_aliases(reg->file, out);
	for (size_t i = 0; i < out->n; i++) {
		if (out->e[i].folded) {
			struct svc_entry *e = &out->e[i];

			free(e->name);
			for (unsigned k = 0; k < e->nalias; k++)
				free(e->aliases[k]);
			free(e->aliases);
			free((char *)e->alias_of);
			continue;
		}
		out->e[kept++] = out->e[i];
	}
	out->n = kept;

	if (diag_errors == errors && out->n == 0)
		diag_error(reg->file, reg->root_line, "the registry yields no service entries");
	if (diag_errors == errors && out->n > IANA_MAX_ENTRIES)
		diag_error(reg->file, reg->root_line,
			   "the registry yields %zu entries; the format holds at most %d",
			   out->n, IANA_MAX_ENTRIES);
	if (diag_errors != errors) {
		svc_free(out);
		return -1;
	}
	return 0;
}

void svc_free(struct svc_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct svc_entry *e = &l->e[i];

		free(e->name);
		for (unsigned k = 0; k < e->nalias; k++)
			free(e->aliases[k]);
		free(e->aliases);
		free((char *)e->alias_of);
	}
	free(l->e);
	memset(l, 0, sizeof(*l));
}
