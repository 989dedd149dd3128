/* iana-servicesdb show (what the registry says) and diff (what changed). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbfile.h"
#include "diag.h"
#include "inspect.h"
#include "registry.h"
#include "services.h"

/* Exit statuses of show and diff. */
enum { ST_FOUND = 0, ST_NOTFOUND = 1, ST_CHANGED_NAMES = 1, ST_ERROR = 2 };

static void json_string(FILE *to, const char *s)
{
	fputc('"', to);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(to, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", to);
		else if (c == '\t')
			fputs("\\t", to);
		else if (c < 0x20)
			fprintf(to, "\\u%04x", c);
		else
			fputc(c, to);
	}
	fputc('"', to);
}

/* RFC 6335 section 6: the three ranges of port numbers. */
static const char *port_class(unsigned port)
{
	if (port <= 1023)
		return "System Port (0-1023, RFC 6335)";
	if (port <= 49151)
		return "User Port (1024-49151, RFC 6335)";
	return "Dynamic/Private Port (49152-65535, RFC 6335; never assigned)";
}

static const char *proto_name(const struct iana_db *db, unsigned proto)
{
	return proto < db->n_protos ? db->proto_name[proto] : NULL;
}

/* Does a record speak for protocol want (-1: any)?  No protocol means tcp and udp. */
static int proto_matches(const struct iana_db *db, const struct iana_info *in, int want)
{
	if (want < 0)
		return 1;
	if (in->flags & IANA_INFO_OTHER_PROTO)
		return 0;
	if (in->proto == IANA_INFO_NO_PROTO) {
		const char *p = proto_name(db, (unsigned)want);

		return p && (strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0);
	}
	return in->proto == (unsigned)want;
}

/* The entry a named, numbered record became: its aliases, or what it is an alias of. */
static int record_entry(const struct iana_db *db, const struct iana_info *in,
			struct iana_entry *e)
{
	const char *proto = in->proto == IANA_INFO_NO_PROTO ? "tcp" : proto_name(db, in->proto);

	if (!(in->flags & IANA_INFO_HAS_PORT) || in->field[IANA_INFO_NAME][0] == '\0' ||
	    (in->flags & IANA_INFO_OTHER_PROTO) ||
	    !iana_db_find_name(db, in->field[IANA_INFO_NAME], proto, e))
		return 0;
	return e->port_lo <= in->port_lo && in->port_hi <= e->port_hi;
}

static const char *const labels[IANA_INFO_FIELDS] = {
	[IANA_INFO_NAME] = "name", [IANA_INFO_DESCRIPTION] = "description",
	[IANA_INFO_ASSIGNEE] = "assignee", [IANA_INFO_CONTACT] = "contact",
	[IANA_INFO_REFS] = "references", [IANA_INFO_REGISTERED] = "registered",
	[IANA_INFO_MODIFIED] = "modified", [IANA_INFO_NOTE] = "note",
	[IANA_INFO_UNAUTHORIZED] = "unauthorized", [IANA_INFO_SOURCE] = "source",
};

static void print_text_field(const char *label, const char *value)
{
	printf("  %-14s", label);
	for (const char *p = value; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			printf("  %-14s", "");
	}
	putchar('\n');
}

static void print_record(const struct iana_db *db, const struct iana_info *in, int json, int first)
{
	const char *name = in->field[IANA_INFO_NAME];
	const char *proto = in->flags & IANA_INFO_OTHER_PROTO ? "(an unknown protocol)" :
			    in->proto == IANA_INFO_NO_PROTO ? NULL : proto_name(db, in->proto);
	struct iana_entry e;
	int has_entry = record_entry(db, in, &e);
	const char *alias_of = NULL;
	char port[16] = "";

	if (in->flags & IANA_INFO_HAS_PORT) {
		if (in->port_lo == in->port_hi)
			snprintf(port, sizeof(port), "%u", in->port_lo);
		else
			snprintf(port, sizeof(port), "%u-%u", in->port_lo, in->port_hi);
	}
	if (has_entry && strcmp(e.strings, name) != 0)
		alias_of = e.strings;

	if (json) {
		printf("%s\n    {\"name\": ", first ? "" : ",");
		json_string(stdout, name);
		printf(", \"port\": ");
		if (port[0])
			json_string(stdout, port);
		else
			fputs("null", stdout);
		printf(", \"protocol\": ");
		if (proto)
			json_string(stdout, proto);
		else
			fputs(port[0] && name[0] ? "[\"tcp\", \"udp\"]" : "null", stdout);
		printf(", \"aliases\": [");
		if (has_entry && !alias_of) {
			const char *s = e.strings + strlen(e.strings) + 1;

			for (unsigned k = 0; k < e.nalias; k++, s += strlen(s) + 1) {
				printf("%s", k ? ", " : "");
				json_string(stdout, s);
			}
		}
		printf("], \"alias_of\": ");
		if (alias_of)
			json_string(stdout, alias_of);
		else
			fputs("null", stdout);
		for (unsigned k = IANA_INFO_DESCRIPTION; k < IANA_INFO_FIELDS; k++) {
			printf(", \"%s\": ", labels[k]);
			json_string(stdout, in->field[k]);
		}
		printf(", \"local\": %s}", in->flags & IANA_INFO_LOCAL ? "true" : "false");
		return;
	}

	printf("%s%s%s%s%s%s\n", first ? "" : "\n", name[0] ? name : "(no name)",
	       port[0] ? "  " : "", port, port[0] ? "/" : "",
	       port[0] ? (proto ? proto : (name[0] ? "tcp,udp" : "tcp,udp")) : "  (no port: a service name only)");
	if (has_entry && !alias_of && e.nalias > 0) {
		char buf[1024] = "";
		const char *s = e.strings + strlen(e.strings) + 1;

		for (unsigned k = 0; k < e.nalias; k++, s += strlen(s) + 1) {
			if (k)
				strncat(buf, " ", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, s, sizeof(buf) - strlen(buf) - 1);
		}
		print_text_field("aliases:", buf);
	}
	if (alias_of)
		print_text_field("alias of:", alias_of);
	for (unsigned k = IANA_INFO_DESCRIPTION; k < IANA_INFO_FIELDS; k++) {
		char label[24];

		if (in->field[k][0] == '\0')
			continue;
		snprintf(label, sizeof(label), "%s:", labels[k]);
		print_text_field(label, in->field[k]);
	}
	if (in->flags & IANA_INFO_LOCAL)
		print_text_field("local:", "yes (an overlay, not the IANA registry)");
}

int cmd_show(int argc, char **argv, const char *default_db)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = default_db, *query, *slash, *name = NULL;
	unsigned char *data;
	struct iana_db db;
	char namebuf[256];
	long port = -1;
	int c, json = 0, want = -1, printed = 0, named = 0;
	uint32_t n;

	while ((c = getopt_long(argc, argv, ":d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			printf("Usage: iana-servicesdb show QUERY [--db FILE] [--json]\n"
			       "QUERY: NAME, PORT, PORT/PROTOCOL or NAME/PROTOCOL.\n");
			return ST_FOUND;
		default:
			return diag_option_error("show", argv, c);
		}
	}
	if (optind + 1 != argc)
		return diag_usage("show: %s", optind == argc ? "missing QUERY" : "more than one QUERY");
	if (load_db(path, &data, &db) < 0)
		return ST_ERROR;

	query = argv[optind];
	slash = strrchr(query, '/');
	snprintf(namebuf, sizeof(namebuf), "%.*s", (int)(slash ? (size_t)(slash - query) : strlen(query)),
		 query);
	if (slash != NULL) {
		want = iana_db_proto_index(&db, slash + 1);
		if (want < 0) {
			fprintf(stderr, "iana-servicesdb: show: unknown protocol \"%s\"\n", slash + 1);
			free(data);
			return ST_NOTFOUND;
		}
	}
	if (namebuf[0] && strspn(namebuf, "0123456789") == strlen(namebuf) && strlen(namebuf) <= 5) {
		port = strtol(namebuf, NULL, 10);
		if (port > 65535) {
			fprintf(stderr, "iana-servicesdb: show: port %ld out of range\n", port);
			free(data);
			return ST_ERROR;
		}
	} else {
		name = namebuf;
	}

	n = iana_db_info_count(&db);
	if (n == 0 && db.info_size != 0) {
		fprintf(stderr, "%s: the INFO section is damaged\n", path);
		free(data);
		return ST_ERROR;
	}
	if (json) {
		printf("{\"query\": ");
		json_string(stdout, query);
		if (port >= 0) {
			printf(", \"port_range\": ");
			json_string(stdout, port_class((unsigned)port));
		}
		printf(", \"records\": [");
	} else if (port >= 0) {
		printf("port %ld: %s\n\n", port, port_class((unsigned)port));
	}
	/* Names: exact first, then ignoring ASCII case, as the module matches. */
	for (int pass = 0; pass < (name ? 2 : 1) && !printed; pass++) {
		for (uint32_t i = 0; i < n; i++) {
			struct iana_info in;

			if (iana_db_info(&db, i, &in) < 0 || !proto_matches(&db, &in, want))
				continue;
			if (name != NULL) {
				const char *rn = in.field[IANA_INFO_NAME];

				if (pass == 0 ? strcmp(rn, name) != 0 : strcasecmp(rn, name) != 0)
					continue;
			} else if (!(in.flags & IANA_INFO_HAS_PORT) || port < in.port_lo ||
				   port > in.port_hi) {
				continue;
			}
			print_record(&db, &in, json, !printed);
			printed++;
			named += in.field[IANA_INFO_NAME][0] != '\0';
		}
	}
	if (json) {
		printf("%s]}\n", printed ? "\n  " : "");
	} else if (!printed) {
		printf("%s: no registry record%s\n", query,
		       n == 0 ? " (this database holds no descriptive data)" : "");
	}
	free(data);
	if (fflush(stdout) != 0)
		return ST_ERROR;
	return named ? ST_FOUND : ST_NOTFOUND;
}

/* diff: both sides as lists of services(5) entries with their descriptions. */
struct item {
	char *name;
	unsigned proto;            /* index into svc_protos */
	uint16_t lo, hi;
	char *aliases;             /* space-separated, in order */
	char *description;
};

struct side {
	const char *path;
	struct item *v;
	size_t n;
	/* (name, protocol) -> first item, and the chain of the next ones. */
	size_t *slot, cap, *next;
	/* every name and alias, for membership */
	char **names;
	size_t names_cap;
};

static uint64_t str_hash(const char *s, unsigned salt)
{
	uint64_t h = UINT64_C(1469598103934665603) ^ salt;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return iana_mix64(h);
}

/* Index a side: 1.5 probes on average, where a scan would be quadratic. */
static void index_side(struct side *sd)
{
	sd->cap = 64;
	while (sd->cap < 4 * sd->n)
		sd->cap *= 2;
	sd->slot = xcalloc(sd->cap, sizeof(size_t));
	sd->next = xcalloc(sd->n + 1, sizeof(size_t));
	for (size_t i = sd->n; i-- > 0;) {
		size_t k = (size_t)str_hash(sd->v[i].name, sd->v[i].proto) & (sd->cap - 1);

		for (; sd->slot[k] != 0; k = (k + 1) & (sd->cap - 1)) {
			const struct item *o = &sd->v[sd->slot[k] - 1];

			if (o->proto == sd->v[i].proto && strcmp(o->name, sd->v[i].name) == 0)
				break;
		}
		sd->next[i] = sd->slot[k];      /* later items chain after earlier ones */
		sd->slot[k] = i + 1;
	}
	size_t strings = 0;

	for (size_t i = 0; i < sd->n; i++)
		for (const char *a = sd->v[i].aliases; *a; a++)
			strings += *a == ' ';
	strings += 2 * sd->n;      /* each name, and each alias list's first */
	sd->names_cap = 64;
	while (sd->names_cap < 2 * strings)
		sd->names_cap *= 2;
	sd->names = xcalloc(sd->names_cap, sizeof(char *));
	for (size_t i = 0; i < sd->n; i++) {
		char *all = xasprintf("%s %s", sd->v[i].name, sd->v[i].aliases), *save = NULL;

		for (char *t = strtok_r(all, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			size_t k = (size_t)str_hash(t, 99) & (sd->names_cap - 1);

			while (sd->names[k] != NULL && strcmp(sd->names[k], t) != 0)
				k = (k + 1) & (sd->names_cap - 1);
			if (sd->names[k] == NULL)
				sd->names[k] = xstrdup(t);
		}
		free(all);
	}
}

static int proto_of(const char *p)
{
	for (int i = 0; i < SVC_NPROTOS; i++)
		if (strcmp(svc_protos[i], p) == 0)
			return i;
	return -1;
}

static char *join_aliases(char **a, unsigned n)
{
	size_t len = 1;
	char *out;

	for (unsigned k = 0; k < n; k++)
		len += strlen(a[k]) + 1;
	out = xcalloc(1, len);
	for (unsigned k = 0; k < n; k++) {
		if (k)
			strcat(out, " ");
		strcat(out, a[k]);
	}
	return out;
}

/* INFO records by (name, protocol, range): the description of an entry. */
struct desc_map {
	uint32_t *slot;            /* INFO index + 1 */
	size_t cap;
};

static uint64_t desc_key(const char *name, unsigned proto, uint16_t lo, uint16_t hi)
{
	return str_hash(name, proto) ^ iana_mix64((uint64_t)lo << 16 | hi);
}

static void desc_map_build(const struct iana_db *db, struct desc_map *dm, uint32_t ninfo)
{
	dm->cap = 64;
	while (dm->cap < 4 * (size_t)ninfo)
		dm->cap *= 2;
	dm->slot = xcalloc(dm->cap, sizeof(uint32_t));
	for (uint32_t i = 0; i < ninfo; i++) {
		struct iana_info in;

		if (iana_db_info(db, i, &in) < 0 || !(in.flags & IANA_INFO_HAS_PORT) ||
		    in.field[IANA_INFO_NAME][0] == '\0')
			continue;
		/* A record without a protocol speaks for tcp and udp. */
		for (unsigned p = 0; p < SVC_NPROTOS; p++) {
			size_t k;

			if (in.proto == IANA_INFO_NO_PROTO ? p > 1 : in.proto != p)
				continue;
			k = (size_t)desc_key(in.field[IANA_INFO_NAME], p, in.port_lo, in.port_hi) &
			    (dm->cap - 1);
			while (dm->slot[k] != 0)
				k = (k + 1) & (dm->cap - 1);
			dm->slot[k] = i + 1;
		}
	}
}

/* The description of the first record an entry may have come from, or "". */
static char *describe(const struct iana_db *db, const struct desc_map *dm, const struct item *it)
{
	size_t k = (size_t)desc_key(it->name, it->proto, it->lo, it->hi) & (dm->cap - 1);

	for (; dm->slot[k] != 0; k = (k + 1) & (dm->cap - 1)) {
		struct iana_info in;

		if (iana_db_info(db, dm->slot[k] - 1, &in) == 0 &&
		    strcmp(in.field[IANA_INFO_NAME], it->name) == 0 && in.port_lo == it->lo &&
		    in.port_hi == it->hi &&
		    (in.proto == it->proto || (in.proto == IANA_INFO_NO_PROTO && it->proto < 2)))
			return xstrdup(in.field[IANA_INFO_DESCRIPTION]);
	}
	return xstrdup("");
}

static int load_side(const char *path, struct side *sd)
{
	unsigned char head[8] = { 0 };
	FILE *f = fopen(path, "rb");

	memset(sd, 0, sizeof(*sd));
	sd->path = path;
	if (f == NULL) {
		diag_error(path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fread(head, 1, sizeof(head), f) != sizeof(head))
		memset(head, 0, sizeof(head));
	fclose(f);

	if (memcmp(head, IANA_DB_MAGIC, IANA_DB_MAGIC_LEN) == 0) {
		unsigned char *data;
		struct iana_db db;
		struct desc_map dm;
		uint32_t ninfo;

		if (load_db(path, &data, &db) < 0)
			return -1;
		sd->v = xcalloc(db.n_entries + 1, sizeof(*sd->v));
		ninfo = iana_db_info_count(&db);
		desc_map_build(&db, &dm, ninfo);
		for (uint32_t i = 0; i < db.n_entries; i++) {
			struct iana_entry e;
			struct item *it = &sd->v[sd->n];
			const char *s;
			char *al[IANA_MAX_ALIASES];
			int proto;

			if (iana_db_entry(&db, i, &e) < 0 || (proto = proto_of(e.proto)) < 0)
				continue;
			it->name = xstrdup(e.strings);
			it->proto = (unsigned)proto;
			it->lo = e.port_lo;
			it->hi = e.port_hi;
			s = e.strings + strlen(e.strings) + 1;
			for (unsigned k = 0; k < e.nalias; k++, s += strlen(s) + 1)
				al[k] = (char *)s;
			it->aliases = join_aliases(al, e.nalias);
			it->description = describe(&db, &dm, it);
			if (it->description == NULL)
				it->description = xstrdup("");
			sd->n++;
		}
		free(dm.slot);
		free(data);
		return 0;
	} else {
		struct svc_options opt = { 0 };
		struct registry reg;
		struct svc_list l;
		int rc;

		diag_quiet_warnings = 1;
		rc = registry_parse_file(path, &reg);
		if (rc == 0)
			rc = svc_from_registry(&reg, &opt, &l);
		registry_free(&reg);
		if (rc < 0)
			return -1;
		sd->v = xcalloc(l.n + 1, sizeof(*sd->v));
		for (size_t i = 0; i < l.n; i++) {
			struct item *it = &sd->v[sd->n++];

			it->name = xstrdup(l.e[i].name);
			it->proto = l.e[i].proto;
			it->lo = l.e[i].lo;
			it->hi = l.e[i].hi;
			it->aliases = join_aliases(l.e[i].aliases, l.e[i].nalias);
			it->description = xstrdup(l.e[i].description ? l.e[i].description : "");
		}
		svc_free(&l);
		return 0;
	}
}

static void free_side(struct side *sd)
{
	for (size_t k = 0; k < sd->names_cap; k++)
		free(sd->names[k]);
	free(sd->names);
	free(sd->slot);
	free(sd->next);
	for (size_t i = 0; i < sd->n; i++) {
		free(sd->v[i].name);
		free(sd->v[i].aliases);
		free(sd->v[i].description);
	}
	free(sd->v);
}

/* The first item at or after index from with this name and protocol. */
static const struct item *find_np(const struct side *sd, const char *name, unsigned proto,
				  size_t from)
{
	size_t k = (size_t)str_hash(name, proto) & (sd->cap - 1), i;

	for (; sd->slot[k] != 0; k = (k + 1) & (sd->cap - 1)) {
		const struct item *o = &sd->v[sd->slot[k] - 1];

		if (o->proto == proto && strcmp(o->name, name) == 0)
			break;
	}
	for (i = sd->slot[k]; i != 0 && i - 1 < from; i = sd->next[i - 1])
		;
	return i ? &sd->v[i - 1] : NULL;
}

/* Does any item hold s as its name or an alias? */
static int holds_name(const struct side *sd, const char *s)
{
	size_t k = (size_t)str_hash(s, 99) & (sd->names_cap - 1);

	for (; sd->names[k] != NULL; k = (k + 1) & (sd->names_cap - 1))
		if (strcmp(sd->names[k], s) == 0)
			return 1;
	return 0;
}

enum change { C_ADDED, C_REMOVED, C_RENAMED, C_MOVED, C_ALIASES, C_DESCRIPTION, C_KINDS };

static const char *const change_names[C_KINDS] = {
	"added", "removed", "renamed", "moved", "aliases", "descriptions",
};

/* One reported change; lines equal but for the protocol are merged. */
struct change_line {
	enum change kind;
	char *key;                 /* what identifies it, without the protocol */
	char *a, *b;               /* before and after (meaning depends on kind) */
	char *port;
	unsigned protos;           /* bit per protocol */
};

struct report {
	struct change_line *v;
	size_t n;
};

static void port_text(char *buf, size_t len, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

static void report_add(struct report *r, enum change kind, const char *key, const char *a,
		       const char *b, const char *port, unsigned proto)
{
	for (size_t i = 0; i < r->n; i++) {
		struct change_line *c = &r->v[i];

		if (c->kind == kind && strcmp(c->key, key) == 0 && strcmp(c->a, a) == 0 &&
		    strcmp(c->b, b) == 0 && strcmp(c->port, port) == 0) {
			c->protos |= 1u << proto;
			return;
		}
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	r->v[r->n].kind = kind;
	r->v[r->n].key = xstrdup(key);
	r->v[r->n].a = xstrdup(a);
	r->v[r->n].b = xstrdup(b);
	r->v[r->n].port = xstrdup(port);
	r->v[r->n].protos = 1u << proto;
	r->n++;
}

static void protos_text(char *buf, size_t len, unsigned protos)
{
	buf[0] = '\0';
	for (int p = 0; p < SVC_NPROTOS; p++)
		if (protos & (1u << p)) {
			if (buf[0])
				strncat(buf, ",", len - strlen(buf) - 1);
			strncat(buf, svc_protos[p], len - strlen(buf) - 1);
		}
}

/* Ranges of name/proto on a side, as "lo-hi lo-hi ...". */
static void ranges_text(char *buf, size_t len, const struct side *sd, const char *name,
			unsigned proto)
{
	buf[0] = '\0';
	for (const struct item *it = find_np(sd, name, proto, 0); it != NULL;
	     it = find_np(sd, name, proto, (size_t)(it - sd->v) + 1)) {
		char p[16];

		port_text(p, sizeof(p), it->lo, it->hi);
		if (buf[0])
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, p, len - strlen(buf) - 1);
	}
}

static void compare(const struct side *o, const struct side *n, struct report *r)
{
	char *removed = xcalloc(o->n + 1, 1), *added = xcalloc(n->n + 1, 1);
	char port[16], a[1024], b[1024];

	/* Per (name, protocol): same ranges, or moved; aliases and descriptions. */
	for (size_t i = 0; i < o->n; i++) {
		const struct item *it = &o->v[i], *m;

		if (find_np(o, it->name, it->proto, 0) != it)
			continue;      /* the same name again: handled with its first */
		if (find_np(n, it->name, it->proto, 0) == NULL) {
			for (const struct item *k = it; k; k = find_np(o, it->name, it->proto, (size_t)(k - o->v) + 1))
				removed[k - o->v] = 1;
			continue;
		}
		ranges_text(a, sizeof(a), o, it->name, it->proto);
		ranges_text(b, sizeof(b), n, it->name, it->proto);
		if (strcmp(a, b) != 0) {
			report_add(r, C_MOVED, it->name, a, b, "", it->proto);
			continue;
		}
		for (const struct item *k = it; k; k = find_np(o, it->name, it->proto, (size_t)(k - o->v) + 1)) {
			for (m = find_np(n, it->name, it->proto, 0); m && (m->lo != k->lo || m->hi != k->hi);
			     m = find_np(n, it->name, it->proto, (size_t)(m - n->v) + 1))
				;
			if (m == NULL)
				continue;
			port_text(port, sizeof(port), k->lo, k->hi);
			if (strcmp(k->aliases, m->aliases) != 0)
				report_add(r, C_ALIASES, k->name, k->aliases, m->aliases, port, k->proto);
			if (strcmp(k->description, m->description) != 0)
				report_add(r, C_DESCRIPTION, k->name, k->description, m->description, port,
					   k->proto);
		}
	}
	for (size_t i = 0; i < n->n; i++)
		if (find_np(o, n->v[i].name, n->v[i].proto, 0) == NULL)
			added[i] = 1;

	/* A removal and an addition on the same port and protocol: a rename. */
	for (size_t i = 0; i < o->n; i++) {
		if (!removed[i])
			continue;
		for (size_t j = 0; j < n->n; j++) {
			if (added[j] != 1 || n->v[j].proto != o->v[i].proto || n->v[j].lo != o->v[i].lo ||
			    n->v[j].hi != o->v[i].hi)
				continue;
			port_text(port, sizeof(port), o->v[i].lo, o->v[i].hi);
			report_add(r, C_RENAMED, o->v[i].name, o->v[i].name, n->v[j].name, port, o->v[i].proto);
			removed[i] = 2;
			added[j] = 2;
			break;
		}
	}
	for (size_t i = 0; i < o->n; i++)
		if (removed[i] == 1) {
			port_text(port, sizeof(port), o->v[i].lo, o->v[i].hi);
			report_add(r, C_REMOVED, o->v[i].name, o->v[i].name, "", port, o->v[i].proto);
		}
	for (size_t j = 0; j < n->n; j++)
		if (added[j] == 1) {
			port_text(port, sizeof(port), n->v[j].lo, n->v[j].hi);
			report_add(r, C_ADDED, n->v[j].name, "", n->v[j].name, port, n->v[j].proto);
		}
	free(removed);
	free(added);
}

/* Names (and aliases) of OLD that NEW no longer has: what configurations lose. */
static char **lost_names(const struct side *o, const struct side *n, size_t *count)
{
	char **v = NULL;

	*count = 0;
	for (size_t i = 0; i < o->n; i++) {
		char *all = xasprintf("%s %s", o->v[i].name, o->v[i].aliases), *save = NULL;

		for (char *s = strtok_r(all, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
			int dup = 0;

			for (size_t k = 0; k < *count && !dup; k++)
				dup = strcmp(v[k], s) == 0;
			if (dup || holds_name(n, s))
				continue;
			v = xreallocarray(v, *count + 1, sizeof(*v));
			v[(*count)++] = xstrdup(s);
		}
		free(all);
	}
	return v;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct side o, n;
	struct report r = { 0 };
	size_t counts[C_KINDS] = { 0 }, nlost;
	char **lost;
	int c, json = 0;

	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h':
			printf("Usage: iana-servicesdb diff OLD NEW [--json]\n"
			       "OLD and NEW: registry XML files or compiled databases.\n"
			       "Exit status 1 when a name (or alias) of OLD is absent from NEW.\n");
			return 0;
		default:
			return diag_option_error("diff", argv, c);
		}
	}
	if (optind + 2 != argc)
		return diag_usage("diff: %s", "expected OLD and NEW");
	if (load_side(argv[optind], &o) < 0)
		return ST_ERROR;
	if (load_side(argv[optind + 1], &n) < 0) {
		free_side(&o);
		return ST_ERROR;
	}
	index_side(&o);
	index_side(&n);
	compare(&o, &n, &r);
	lost = lost_names(&o, &n, &nlost);
	for (size_t i = 0; i < r.n; i++)
		counts[r.v[i].kind]++;

	if (json) {
		printf("{\"old\": ");
		json_string(stdout, o.path);
		printf(", \"new\": ");
		json_string(stdout, n.path);
		for (int k = 0; k < C_KINDS; k++) {
			int first = 1;

			printf(",\n  \"%s\": [", change_names[k]);
			for (size_t i = 0; i < r.n; i++) {
				char protos[32];

				if (r.v[i].kind != (enum change)k)
					continue;
				protos_text(protos, sizeof(protos), r.v[i].protos);
				printf("%s\n    {\"name\": ", first ? "" : ",");
				json_string(stdout, r.v[i].key);
				printf(", \"port\": ");
				json_string(stdout, r.v[i].port);
				printf(", \"protocols\": ");
				json_string(stdout, protos);
				printf(", \"old\": ");
				json_string(stdout, r.v[i].a);
				printf(", \"new\": ");
				json_string(stdout, r.v[i].b);
				printf("}");
				first = 0;
			}
			printf("%s]", first ? "" : "\n  ");
		}
		printf(",\n  \"names_removed\": [");
		for (size_t i = 0; i < nlost; i++) {
			printf("%s", i ? ", " : "");
			json_string(stdout, lost[i]);
		}
		printf("],\n  \"counts\": {");
		for (int k = 0; k < C_KINDS; k++)
			printf("%s\"%s\": %zu", k ? ", " : "", change_names[k], counts[k]);
		printf(", \"names_removed\": %zu}}\n", nlost);
	} else {
		static const char *const titles[C_KINDS] = {
			"Added", "Removed", "Renamed (same port and protocol, new name)",
			"Moved (same name, new port)", "Aliases changed", "Descriptions changed",
		};

		printf("Changes from %s to %s\n", o.path, n.path);
		for (int k = 0; k < C_KINDS; k++) {
			if (counts[k] == 0)
				continue;
			printf("\n%s: %zu\n", titles[k], counts[k]);
			for (size_t i = 0; i < r.n; i++) {
				struct change_line *cl = &r.v[i];
				char where[64], protos[32];

				if (cl->kind != (enum change)k)
					continue;
				protos_text(protos, sizeof(protos), cl->protos);
				snprintf(where, sizeof(where), "%s/%s", cl->port, protos);
				switch (cl->kind) {
				case C_ADDED:
				case C_REMOVED:
					printf("  %-16s %s\n", cl->key, where);
					break;
				case C_RENAMED:
					printf("  %-16s %s -> %s\n", where, cl->a, cl->b);
					break;
				case C_MOVED:
					printf("  %-16s %s -> %s (%s)\n", cl->key, cl->a, cl->b, protos);
					break;
				case C_ALIASES:
				case C_DESCRIPTION:
					printf("  %-16s %s: \"%s\" -> \"%s\"\n", cl->key, where, cl->a, cl->b);
					break;
				default:
					break;
				}
			}
		}
		printf("\nSummary: %zu added, %zu removed, %zu renamed, %zu moved, "
		       "%zu alias changes, %zu description changes\n",
		       counts[C_ADDED], counts[C_REMOVED], counts[C_RENAMED], counts[C_MOVED],
		       counts[C_ALIASES], counts[C_DESCRIPTION]);
		if (nlost) {
			printf("Names no longer present (%zu): configurations that use them will break:\n ",
			       nlost);
			for (size_t i = 0; i < nlost; i++)
				printf(" %s", lost[i]);
			printf("\n");
		}
	}
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].key);
		free(r.v[i].a);
		free(r.v[i].b);
		free(r.v[i].port);
	}
	free(r.v);
	for (size_t i = 0; i < nlost; i++)
		free(lost[i]);
	free(lost);
	free_side(&o);
	free_side(&n);
	if (fflush(stdout) != 0)
		return ST_ERROR;
	return nlost ? ST_CHANGED_NAMES : 0;
}
