/* The registry-to-services rules: names, numbers, protocols, aliases, duplicates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-format.h"
#include "diag.h"
#include "services.h"

const char *const svc_protos[SVC_NPROTOS] = { "tcp", "udp", "sctp", "dccp" };

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

static int person_cmp(const void *a, const void *b)
{
	const struct reg_person *const *x = a, *const *y = b;

	return strcmp((*x)->id ? (*x)->id : "", (*y)->id ? (*y)->id : "");
}

struct people {
	const struct reg_person **v;
	size_t n;
};

static const struct reg_person *find_person(const struct people *pp, const char *id)
{
	struct reg_person key = { .id = (char *)id };
	const struct reg_person *k = &key, **hit;

	hit = bsearch(&k, pp->v, pp->n, sizeof(*pp->v), person_cmp);
	return hit ? *hit : NULL;
}

/* A growable string for joining list items. */
struct sbuf {
	char *s;
	size_t len;
};

static void sb_add(struct sbuf *b, const char *sep, const char *s)
{
	size_t a = strlen(sep), n = strlen(s);

	b->s = xrealloc(b->s, b->len + a + n + 1);
	if (b->len) {
		memcpy(b->s + b->len, sep, a);
		b->len += a;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static char *sb_take(struct sbuf *b)
{
	return b->s ? b->s : xstrdup("");
}

/*
 * The people a list of xrefs names ("person:ID" lines), by name or
 * organisation from <people>, with their URI when with_uri; "; "-separated.
 */
static char *resolve_people(const struct people *pp, const char *list, int with_uri)
{
	struct sbuf b = { 0 };
	const char *p = list;

	while (p != NULL && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *item = xmalloc(n + 1);

		memcpy(item, p, n);
		item[n] = '\0';
		if (strncmp(item, "person:", 7) == 0) {
			const struct reg_person *who = find_person(pp, item + 7);
			const char *name = who && who->name ? who->name :
					   who && who->org ? who->org : item + 7;

			if (with_uri && who && who->uri) {
				char *both = xasprintf("%s <%s>", name, who->uri);

				sb_add(&b, "; ", both);
				free(both);
			} else {
				sb_add(&b, "; ", name);
			}
		}
		free(item);
		p = nl ? nl + 1 : NULL;
	}
	return sb_take(&b);
}

/* The references among a record's xrefs: RFCs as "RFC N", others as given. */
static char *references(const char *list)
{
	struct sbuf b = { 0 };
	const char *p = list;

	while (p != NULL && *p) {
		const char *nl = strchr(p, '\n'), *colon;
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *item = xmalloc(n + 8);

		memcpy(item, p, n);
		item[n] = '\0';
		colon = strchr(item, ':');
		if (colon && strncmp(item, "person:", 7) != 0) {
			if (strncmp(item, "rfc:rfc", 7) == 0) {
				char *rfc = xasprintf("RFC %s", item + 7);

				sb_add(&b, ", ", rfc);
				free(rfc);
			} else {
				sb_add(&b, ", ", colon + 1);
			}
		}
		free(item);
		p = nl ? nl + 1 : NULL;
	}
	return sb_take(&b);
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

/* What a record says, resolved for people to read. */
static void record_info(const struct people *pp, const struct reg_record *r, struct svc_info *in)
{
	const char *why;
	int proto = r->protocol ? proto_index(r->protocol) : -1;

	memset(in, 0, sizeof(*in));
	if (r->number && parse_number(r->number, &in->lo, &in->hi, &why) == 0)
		in->flags |= IANA_INFO_HAS_PORT;
	in->proto = proto >= 0 ? (uint8_t)proto : IANA_INFO_NO_PROTO;
	if (r->protocol != NULL && r->protocol[0] != '\0' && proto < 0)
		in->flags |= IANA_INFO_OTHER_PROTO;   /* not "tcp and udp" */
	in->field[IANA_INFO_NAME] = dup_or_empty(r->name);
	in->field[IANA_INFO_DESCRIPTION] = dup_or_empty(r->description);
	/* Older records name their people with plain xrefs, newer ones in groups. */
	in->field[IANA_INFO_ASSIGNEE] = resolve_people(pp, r->assignee ? r->assignee : r->xrefs, 0);
	in->field[IANA_INFO_CONTACT] = resolve_people(pp, r->contact ? r->contact : r->xrefs, 1);
	in->field[IANA_INFO_REFS] = references(r->xrefs);
	in->field[IANA_INFO_REGISTERED] = dup_or_empty(r->date);
	in->field[IANA_INFO_MODIFIED] = dup_or_empty(r->updated);
	in->field[IANA_INFO_NOTE] = dup_or_empty(r->note);
	in->field[IANA_INFO_UNAUTHORIZED] = dup_or_empty(r->unauthorized);
	in->field[IANA_INFO_SOURCE] = xstrdup("");
}

int svc_from_registry(const struct registry *reg, const struct svc_options *opt,
		      struct svc_list *out)
{
	struct dupset dups;
	size_t cap = 0, kept = 0;
	unsigned errors = diag_errors;

	memset(out, 0, sizeof(*out));
	out->updated = reg->updated;

	{
		struct people pp = { xcalloc(reg->n_people, sizeof(*pp.v)), reg->n_people };

		for (size_t i = 0; i < reg->n_people; i++)
			pp.v[i] = &reg->people[i];
		qsort(pp.v, pp.n, sizeof(*pp.v), person_cmp);
		out->info = xcalloc(reg->n_records, sizeof(*out->info));
		out->n_info = reg->n_records;
		for (size_t i = 0; i < reg->n_records; i++)
			record_info(&pp, &reg->records[i], &out->info[i]);
		free(pp.v);
	}

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
		if (!iana_valid_name(r->name)) {
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
			e->description = out->info[i].field[IANA_INFO_DESCRIPTION];
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
	out->n_registry = kept;

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
	for (size_t i = 0; i < l->n_info; i++)
		for (unsigned k = 0; k < IANA_INFO_FIELDS; k++)
			free(l->info[i].field[k]);
	free(l->info);
	memset(l, 0, sizeof(*l));
}

/* Does an entry other than the overlay's own hold s on proto, elsewhere than port? */
static const struct svc_entry *registry_conflict(const struct svc_list *l, size_t registry_n,
						 const char *s, unsigned proto, uint16_t port)
{
	for (size_t i = 0; i < registry_n; i++) {
		const struct svc_entry *e = &l->e[i];

		if (e->proto == proto && has_string(e, s) && (port < e->lo || port > e->hi))
			return e;
	}
	return NULL;
}

static struct svc_info *add_info(struct svc_list *l)
{
	l->info = xreallocarray(l->info, l->n_info + 1, sizeof(*l->info));
	memset(&l->info[l->n_info], 0, sizeof(*l->info));
	return &l->info[l->n_info++];
}

static void overlay_info(struct svc_list *l, const char *path, unsigned long line,
			 const char *name, unsigned proto, uint16_t port, const char *what)
{
	struct svc_info *in = add_info(l);
	char source[4096];

	snprintf(source, sizeof(source), "%s:%lu", path, line);
	in->lo = in->hi = port;
	in->proto = (uint8_t)proto;
	in->flags = IANA_INFO_HAS_PORT | IANA_INFO_LOCAL;
	for (unsigned k = 0; k < IANA_INFO_FIELDS; k++)
		in->field[k] = xstrdup("");
	free(in->field[IANA_INFO_NAME]);
	in->field[IANA_INFO_NAME] = xstrdup(name);
	free(in->field[IANA_INFO_DESCRIPTION]);
	in->field[IANA_INFO_DESCRIPTION] = xstrdup(what);
	free(in->field[IANA_INFO_SOURCE]);
	in->field[IANA_INFO_SOURCE] = xstrdup(source);
}

/* One overlay line, split into words; 0, or -1 after reporting an error. */
static int overlay_line(struct svc_list *l, size_t registry_n, const char *path,
			unsigned long line, char **w, int nw)
{
	char *slash = strchr(w[1], '/');
	const char *names[IANA_MAX_ALIASES + 2];
	const struct svc_entry *c;
	struct svc_entry *t = NULL;
	const char *why;
	uint16_t port, hi;
	int proto, nn = 0;

	if (slash == NULL) {
		diag_error(path, line, "expected NAME PORT/PROTOCOL [ALIAS...], not \"%s\"", w[1]);
		return -1;
	}
	*slash = '\0';
	if (parse_number(w[1], &port, &hi, &why) < 0) {
		diag_error(path, line, "\"%s\": %s", w[1], why);
		return -1;
	}
	if (hi != port) {
		diag_error(path, line, "\"%s\": one port, not a range", w[1]);
		return -1;
	}
	proto = proto_index(slash + 1);
	if (proto < 0) {
		diag_warning(path, line, "unknown protocol \"%s\"; line skipped", slash + 1);
		return 0;
	}
	for (int i = 0; i < nw; i++) {
		if (i == 1)
			continue;
		if (!iana_valid_name(w[i])) {
			diag_warning(path, line, "name \"%s\" cannot be written in services(5); skipped", w[i]);
			continue;
		}
		c = registry_conflict(l, registry_n, w[i], (unsigned)proto, port);
		if (c != NULL) {
			diag_warning(path, line, "conflict: the registry has %s on %u/%s, not %u; "
				     "the registry wins", w[i], c->lo, svc_protos[c->proto], port);
			continue;
		}
		if (nn < IANA_MAX_ALIASES + 1)
			names[nn++] = w[i];
	}
	if (nn == 0)
		return 0;

	for (size_t i = 0; i < l->n && t == NULL; i++)
		if (l->e[i].proto == (unsigned)proto && port >= l->e[i].lo && port <= l->e[i].hi)
			t = &l->e[i];
	if (t == NULL) {
		l->e = xreallocarray(l->e, l->n + 1, sizeof(*l->e));
		t = &l->e[l->n++];
		memset(t, 0, sizeof(*t));
		t->name = xstrdup(names[0]);
		t->proto = (unsigned)proto;
		t->lo = t->hi = port;
		t->line = line;
		overlay_info(l, path, line, names[0], (unsigned)proto, port, "local name (overlay)");
		t->description = l->info[l->n_info - 1].field[IANA_INFO_DESCRIPTION];
		for (int i = 1; i < nn; i++) {
			add_alias(path, t, names[i]);
			overlay_info(l, path, line, names[i], (unsigned)proto, port,
				     "local alias (overlay)");
		}
		return 0;
	}
	for (int i = 0; i < nn; i++) {
		if (has_string(t, names[i]))
			continue;
		add_alias(path, t, names[i]);
		overlay_info(l, path, line, names[i], (unsigned)proto, port,
			     "local alias (overlay)");
	}
	return 0;
}

int svc_apply_overlay(struct svc_list *l, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	unsigned long line = 0;
	unsigned errors = diag_errors;

	if (f == NULL) {
		diag_error(path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *w[IANA_MAX_ALIASES + 3], *hash, *save = NULL, *tok;
		int nw = 0;

		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			diag_error(path, line, "line longer than %zu bytes", sizeof(buf) - 2);
			break;
		}
		if ((hash = strchr(buf, '#')) != NULL)
			*hash = '\0';
		for (tok = strtok_r(buf, " \t\r\n", &save); tok != NULL && nw < (int)(sizeof(w) / sizeof(w[0]));
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = tok;
		if (nw == 0)
			continue;
		if (nw < 2) {
			diag_error(path, line, "expected NAME PORT/PROTOCOL [ALIAS...]");
			continue;
		}
		overlay_line(l, l->n_registry, path, line, w, nw);
	}
	if (ferror(f))
		diag_error(path, 0, "read error: %s", strerror(errno));
	fclose(f);
	return diag_errors == errors ? 0 : -1;
}
