/* Streaming parse of the IANA registry XML with libxml2's xmlTextReader. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "diag.h"
#include "registry.h"

static const char doctype_message[] =
	"document type declarations are not accepted "
	"(the IANA registry has none; DTDs and entities are never loaded)";

/* The longest text kept for one field: far above anything IANA writes. */
#define FIELD_MAX (1u << 20)

/* The largest registry read (IANA's is about 4 MiB), which bounds memory. */
#define REGISTRY_MAX (32 << 20)

/* How much of the file is searched for a document type declaration. */
#define PROLOG_MAX (1u << 20)

/* Where the text being gathered goes. */
enum field {
	F_NONE, F_NAME, F_PROTOCOL, F_NUMBER, F_DESCRIPTION, F_NOTE, F_UNAUTHORIZED,
	F_PERSON_NAME, F_PERSON_ORG, F_PERSON_URI, F_UPDATED,
};

struct text {
	char *s;
	size_t len, cap;
};

struct parse {
	struct registry *reg;
	xmlTextReaderPtr reader;
	int failed;
	size_t cap;

	int in_record;
	int in_people;
	int in_person;
	enum field field;
	int field_depth;
	char **group;              /* <assignee> or <contact>: where its xrefs go */
	int group_depth;
	struct text text;
	int in_registry_updated;
	size_t people_cap;
};

static void structured_error(void *ctx, xmlErrorPtr err)
{
	struct parse *ps = ctx;
	char msg[512];
	size_t n;

	if (err == NULL || err->level == XML_ERR_NONE)
		return;
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "XML error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* libxml2 continues some messages on a second line: keep them on one. */
	for (char *nl = strchr(msg, '\n'); nl != NULL; nl = strchr(nl, '\n'))
		*nl = ' ';
	if (err->level == XML_ERR_WARNING) {
		diag_warning(ps->reg->file, (unsigned long)(err->line > 0 ? err->line : 0), "%s", msg);
		return;
	}
	diag_error(ps->reg->file, (unsigned long)(err->line > 0 ? err->line : 0), "%s", msg);
	ps->failed = 1;
}

/* libxml2 must never print on its own: every message goes through us. */
static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/*
 * The line of the node being handled.  The parser's own line number runs
 * ahead of the reader, so it is only the fallback for nodes without one.
 */
static unsigned long line_of(struct parse *ps)
{
	xmlNodePtr node = xmlTextReaderCurrentNode(ps->reader);
	long line = node ? xmlGetLineNo(node) : -1;

	if (line <= 0)
		line = xmlTextReaderGetParserLineNumber(ps->reader);
	return line > 0 ? (unsigned long)line : 0;
}

/*
 * A document type declaration must come before the root element: find it in
 * the prolog, so that the error names its line (libxml2 gives the node none).
 * Comments and processing instructions are skipped.  Returns its line, or 0
 * when the prolog has none (or does not end within p: the parser decides).
 */
static unsigned long doctype_line(const char *p, size_t n)
{
	unsigned long line = 1;
	size_t i = 0;

	while (i < n) {
		const char *end = NULL;
		size_t skip = 0;

		if (p[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (p[i] != '<') {
			i++;
			continue;
		}
		if (n - i >= 9 && memcmp(p + i, "<!DOCTYPE", 9) == 0)
			return line;
		if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0)
			end = memmem(p + i + 4, n - i - 4, "-->", 3), skip = 3;
		else if (n - i >= 2 && p[i + 1] == '?')
			end = memmem(p + i + 2, n - i - 2, "?>", 2), skip = 2;
		else
			return 0;   /* the root element, or something the parser will refuse */
		if (end == NULL)
			return 0;
		for (; p + i < end; i++)
			line += p[i] == '\n';
		i += skip;
	}
	return 0;
}

/* The same for a prolog in UTF-16 (with a byte order mark): its ASCII read. */
static unsigned long prolog_doctype_line(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned long line;
	size_t k = 0;
	int little;
	char *narrow;

	if (n < 2 || !((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return doctype_line(p, n);
	/* Each code unit: the low byte first (little-endian) or second. */
	little = u[0] == 0xff;
	narrow = xmalloc(n / 2 + 1);
	for (size_t i = 2; i + 1 < n; i += 2) {
		unsigned char lo = little ? u[i] : u[i + 1], hi = little ? u[i + 1] : u[i];

		narrow[k++] = hi == 0 ? (char)lo : '?';
	}
	line = doctype_line(narrow, k);
	free(narrow);
	return line;
}

static void text_add(struct parse *ps, const char *s)
{
	size_t n = strlen(s);

	if (ps->text.len + n > FIELD_MAX) {
		if (ps->text.len <= FIELD_MAX) {
			diag_error(ps->reg->file, line_of(ps), "text of an element exceeds %u bytes",
				   FIELD_MAX);
			ps->failed = 1;
		}
		ps->text.len = FIELD_MAX + 1;
		return;
	}
	if (ps->text.len + n + 1 > ps->text.cap) {
		ps->text.cap = (ps->text.len + n + 1) * 2;
		ps->text.s = xrealloc(ps->text.s, ps->text.cap);
	}
	memcpy(ps->text.s + ps->text.len, s, n + 1);
	ps->text.len += n;
}

/* The field's text with surrounding white space removed, as a new string. */
static char *text_take(struct parse *ps, int trim)
{
	char *s = ps->text.s ? ps->text.s : "";
	size_t n = ps->text.len > FIELD_MAX ? 0 : ps->text.len;
	char *out;

	if (trim) {
		while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++, n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
				 s[n - 1] == '\r'))
			n--;
	}
	out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	ps->text.len = 0;
	return out;
}

static struct reg_record *current(struct parse *ps)
{
	return &ps->reg->records[ps->reg->n_records - 1];
}

static char *attr(struct parse *ps, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(ps->reader, (const xmlChar *)name);
	char *out = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return out;
}

static void start_record(struct parse *ps)
{
	struct registry *reg = ps->reg;
	struct reg_record *r;

	if (reg->n_records == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 1024;
		reg->records = xreallocarray(reg->records, ps->cap, sizeof(*reg->records));
	}
	r = &reg->records[reg->n_records++];
	memset(r, 0, sizeof(*r));
	r->line = line_of(ps);
	r->date = attr(ps, "date");
	r->updated = attr(ps, "updated");
	ps->in_record = 1;
}

static void start_person(struct parse *ps)
{
	struct registry *reg = ps->reg;
	struct reg_person *p;

	if (reg->n_people == ps->people_cap) {
		ps->people_cap = ps->people_cap ? 2 * ps->people_cap : 1024;
		reg->people = xreallocarray(reg->people, ps->people_cap, sizeof(*reg->people));
	}
	p = &reg->people[reg->n_people++];
	memset(p, 0, sizeof(*p));
	p->id = attr(ps, "id");
	ps->in_person = 1;
}

/* Append line to *list, one item per line. */
static void list_add(char **list, const char *item)
{
	size_t a = *list ? strlen(*list) : 0, b = strlen(item);

	*list = xrealloc(*list, a + b + 2);
	if (a)
		(*list)[a++] = '\n';
	memcpy(*list + a, item, b + 1);
}

static const char *const field_names[] = {
	[F_NAME] = "name", [F_PROTOCOL] = "protocol", [F_NUMBER] = "number",
	[F_DESCRIPTION] = "description", [F_NOTE] = "note", [F_UNAUTHORIZED] = "unauthorized",
	[F_PERSON_NAME] = "name", [F_PERSON_ORG] = "org", [F_PERSON_URI] = "uri",
};

static char **field_slot(struct parse *ps)
{
	struct reg_record *r;
	struct reg_person *p;

	if (ps->in_person) {
		p = &ps->reg->people[ps->reg->n_people - 1];
		switch (ps->field) {
		case F_PERSON_NAME: return &p->name;
		case F_PERSON_ORG: return &p->org;
		case F_PERSON_URI: return &p->uri;
		default: return NULL;
		}
	}
	r = current(ps);
	switch (ps->field) {
	case F_NAME: return &r->name;
	case F_PROTOCOL: return &r->protocol;
	case F_NUMBER: return &r->number;
	case F_DESCRIPTION: return &r->description;
	case F_NOTE: return &r->note;
	case F_UNAUTHORIZED: return &r->unauthorized;
	default: return NULL;
	}
}

static void end_field(struct parse *ps)
{
	/* Only a record's name, protocol and number must be unique. */
	int prose = ps->field != F_NAME && ps->field != F_PROTOCOL && ps->field != F_NUMBER;
	char **slot = field_slot(ps);

	if (slot == NULL)
		return;
	if (*slot != NULL && !prose) {
		diag_error(ps->reg->file, line_of(ps), "record at line %lu has more than one <%s>",
			   current(ps)->line, field_names[ps->field]);
		ps->failed = 1;
		ps->text.len = 0;
		return;
	}
	if (*slot != NULL) {
		/* Several notes (or descriptions, or URIs) are kept, one per line. */
		char *more = text_take(ps, 1);

		if (strlen(*slot) + strlen(more) > FIELD_MAX) {
			diag_error(ps->reg->file, line_of(ps), "text of <%s> in the record at line %lu "
				   "exceeds %u bytes", field_names[ps->field],
				   ps->in_person ? 0 : current(ps)->line, FIELD_MAX);
			ps->failed = 1;
		} else {
			list_add(slot, more);
		}
		free(more);
		return;
	}
	*slot = text_take(ps, 1);
}

static enum field field_of(const char *local, int person)
{
	static const struct {
		const char *name;
		enum field f;
		int person;
	} map[] = {
		{ "name", F_NAME, 0 }, { "protocol", F_PROTOCOL, 0 }, { "number", F_NUMBER, 0 },
		{ "description", F_DESCRIPTION, 0 }, { "note", F_NOTE, 0 },
		{ "unauthorized", F_UNAUTHORIZED, 0 },
		{ "name", F_PERSON_NAME, 1 }, { "org", F_PERSON_ORG, 1 }, { "uri", F_PERSON_URI, 1 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].person == person && strcmp(local, map[i].name) == 0)
			return map[i].f;
	return F_NONE;
}

static int in_namespace(xmlTextReaderPtr r)
{
	const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);

	return ns != NULL && strcmp((const char *)ns, IANA_REGISTRY_NS) == 0;
}

/* YYYY-MM-DD to YYYYMMDD, or 0 when it is not such a date. */
static uint32_t parse_date(const char *s)
{
	unsigned y, m, d;
	char tail;

	if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen(s) != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	return y * 10000 + m * 100 + d;
}

/* <xref type="T" data="D"/>: "T:D", for references and person lists. */
static char *xref_item(struct parse *ps)
{
	char *type = attr(ps, "type"), *data = attr(ps, "data"), *out;

	if (data == NULL) {
		free(type);
		return NULL;
	}
	out = xasprintf("%s:%s", type ? type : "", data);
	free(type);
	free(data);
	return out;
}

static void root_element(struct parse *ps, const char *local)
{
	xmlTextReaderPtr r = ps->reader;
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
	char *id;

	ps->reg->root_line = line_of(ps);
	if (strcmp(local, "registry") != 0 || !in_namespace(r)) {
		diag_error(ps->reg->file, line_of(ps),
			   "not an IANA registry: the root element is <%s> in namespace \"%s\", "
			   "not <registry> in \"%s\"", local, ns ? ns : "", IANA_REGISTRY_NS);
		ps->failed = 1;
		return;
	}
	id = attr(ps, "id");
	if (id != NULL && strcmp(id, IANA_REGISTRY_ID) != 0) {
		diag_error(ps->reg->file, line_of(ps),
			   "this is the IANA registry \"%s\", not \"%s\"", id, IANA_REGISTRY_ID);
		ps->failed = 1;
	}
	free(id);
}

static void element(struct parse *ps, int depth)
{
	xmlTextReaderPtr r = ps->reader;
	const char *local = (const char *)xmlTextReaderConstLocalName(r);
	int empty = xmlTextReaderIsEmptyElement(r);

	if (depth == 0) {
		root_element(ps, local);
		return;
	}
	if (!in_namespace(r))
		return;

	/* Inside prose: an xref reads as [data], a line break as one. */
	if (ps->field != F_NONE) {
		if (strcmp(local, "xref") == 0) {
			char *data = attr(ps, "data");

			if (data != NULL) {
				text_add(ps, "[");
				text_add(ps, data);
				text_add(ps, "]");
			}
			free(data);
		} else if (strcmp(local, "br") == 0) {
			text_add(ps, "\n");
		}
		return;
	}

	if (depth == 1) {
		if (strcmp(local, "record") == 0) {
			start_record(ps);
			if (empty)
				ps->in_record = 0;
		} else if (strcmp(local, "people") == 0 && !empty) {
			ps->in_people = 1;
		} else if (strcmp(local, "updated") == 0 && !empty) {
			ps->in_registry_updated = 1;
		}
		return;
	}
	if (ps->in_people) {
		if (depth == 2 && strcmp(local, "person") == 0) {
			start_person(ps);
			if (empty)
				ps->in_person = 0;
		} else if (depth == 3 && ps->in_person) {
			ps->field = field_of(local, 1);
			ps->field_depth = depth;
			ps->text.len = 0;
			if (ps->field != F_NONE && empty) {
				end_field(ps);
				ps->field = F_NONE;
			}
		}
		return;
	}
	if (!ps->in_record)
		return;
	if (strcmp(local, "xref") == 0 && (depth == 2 || ps->group != NULL)) {
		char *item = xref_item(ps);

		if (item != NULL)
			list_add(ps->group ? ps->group : &current(ps)->xrefs, item);
		free(item);
		return;
	}
	if (depth != 2)
		return;
	if ((strcmp(local, "assignee") == 0 || strcmp(local, "contact") == 0) && !empty) {
		ps->group = local[0] == 'a' ? &current(ps)->assignee : &current(ps)->contact;
		ps->group_depth = depth;
		return;
	}
	ps->field = field_of(local, 0);
	ps->field_depth = depth;
	ps->text.len = 0;
	if (ps->field != F_NONE && empty) {
		end_field(ps);
		ps->field = F_NONE;
	}
}

static void end_element(struct parse *ps, int depth)
{
	if (depth == 1 && ps->in_registry_updated) {
		char *s = text_take(ps, 1);

		ps->reg->updated = parse_date(s);
		if (ps->reg->updated == 0)
			diag_warning(ps->reg->file, line_of(ps), "<updated> is not a YYYY-MM-DD date: %s", s);
		free(s);
		ps->in_registry_updated = 0;
	} else if (depth == 1) {
		ps->in_record = 0;
		ps->in_people = 0;
	} else if (ps->field != F_NONE && depth == ps->field_depth) {
		end_field(ps);
		ps->field = F_NONE;
	} else if (ps->group != NULL && depth == ps->group_depth) {
		ps->group = NULL;
	} else if (ps->in_person && depth == 2) {
		ps->in_person = 0;
	}
}

static int run(struct parse *ps)
{
	xmlTextReaderPtr r = ps->reader;
	int ret, seen_root = 0;

	xmlTextReaderSetStructuredErrorHandler(r, structured_error, ps);
	while ((ret = xmlTextReaderRead(r)) == 1 && !ps->failed) {
		int type = xmlTextReaderNodeType(r);
		int depth = xmlTextReaderDepth(r);

		switch (type) {
		case XML_READER_TYPE_ELEMENT:
			seen_root = 1;
			element(ps, depth);
			break;
		case XML_READER_TYPE_END_ELEMENT:
			end_element(ps, depth);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (ps->field != F_NONE || ps->in_registry_updated) {
				const char *v = (const char *)xmlTextReaderConstValue(r);

				text_add(ps, v ? v : "");
			}
			break;
		case XML_READER_TYPE_DOCUMENT_TYPE:
			diag_error(ps->reg->file, line_of(ps), "%s", doctype_message);
			ps->failed = 1;
			break;
		case XML_READER_TYPE_ENTITY_REFERENCE:
		case XML_READER_TYPE_ENTITY:
			diag_error(ps->reg->file, line_of(ps), "entity references are not accepted");
			ps->failed = 1;
			break;
		default:
			break;
		}
	}
	if (ret < 0 && !ps->failed) {
		diag_error(ps->reg->file, line_of(ps), "the XML is not well-formed");
		ps->failed = 1;
	}
	if (!ps->failed && !seen_root) {
		diag_error(ps->reg->file, 0, "the file holds no XML element");
		ps->failed = 1;
	}
	return ps->failed ? -1 : 0;
}

static const int parse_options = XML_PARSE_NONET | XML_PARSE_NOXINCNODE;

static int finish(struct parse *ps)
{
	int rc;

	if (ps->reader == NULL) {
		diag_error(ps->reg->file, 0, "cannot open: %s", "libxml2 could not start a reader");
		return -1;
	}
	rc = run(ps);
	xmlFreeTextReader(ps->reader);
	free(ps->text.s);
	return rc;
}

/* No entity, DTD or XInclude may ever be loaded from outside the document. */
static xmlParserInputPtr refuse_loading(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void init_libxml(void)
{
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlSetExternalEntityLoader(refuse_loading);
}

static int doctype_error(struct registry *reg, unsigned long line)
{
	diag_error(reg->file, line, "%s", doctype_message);
	return -1;
}

int registry_parse_file(const char *path, struct registry *reg)
{
	struct parse ps = { .reg = reg };
	FILE *f;

	memset(reg, 0, sizeof(*reg));
	reg->file = xstrdup(path);
	/* Say why a file cannot be opened in words, before libxml2 tries. */
	f = fopen(path, "r");
	if (f == NULL) {
		diag_error(path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	{
		struct stat st;
		char *head;
		size_t n;
		unsigned long line;

		if (fstat(fileno(f), &st) == 0 && st.st_size > REGISTRY_MAX) {
			fclose(f);
			diag_error(path, 0, "larger than %d MiB: not a registry this tool reads "
				   "(IANA's is about 4 MiB)", REGISTRY_MAX >> 20);
			return -1;
		}
		head = xmalloc(PROLOG_MAX);
		n = fread(head, 1, PROLOG_MAX, f);
		line = prolog_doctype_line(head, n);
		free(head);
		fclose(f);
		if (line > 0)
			return doctype_error(reg, line);
	}
	init_libxml();
	ps.reader = xmlReaderForFile(path, NULL, parse_options);
	return finish(&ps);
}

int registry_parse_memory(const char *buf, size_t len, const char *name, struct registry *reg)
{
	struct parse ps = { .reg = reg };

	memset(reg, 0, sizeof(*reg));
	reg->file = xstrdup(name);
	if (len > REGISTRY_MAX) {
		diag_error(name, 0, "larger than %d MiB: not a registry this tool reads "
			   "(IANA's is about 4 MiB)", REGISTRY_MAX >> 20);
		return -1;
	}
	{
		unsigned long line = prolog_doctype_line(buf, len < PROLOG_MAX ? len : PROLOG_MAX);

		if (line > 0)
			return doctype_error(reg, line);
	}
	init_libxml();
	ps.reader = xmlReaderForMemory(buf, (int)len, name, NULL, parse_options);
	return finish(&ps);
}

void registry_free(struct registry *reg)
{
	for (size_t i = 0; i < reg->n_records; i++) {
		struct reg_record *r = &reg->records[i];

		free(r->name);
		free(r->protocol);
		free(r->number);
		free(r->description);
		free(r->note);
		free(r->unauthorized);
		free(r->date);
		free(r->updated);
		free(r->xrefs);
		free(r->assignee);
		free(r->contact);
	}
	free(reg->records);
	for (size_t i = 0; i < reg->n_people; i++) {
		free(reg->people[i].id);
		free(reg->people[i].name);
		free(reg->people[i].org);
		free(reg->people[i].uri);
	}
	free(reg->people);
	free(reg->file);
	memset(reg, 0, sizeof(*reg));
}
