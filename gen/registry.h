/* The IANA service-names-port-numbers registry as read from its XML. */
#ifndef IANA_REGISTRY_H
#define IANA_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#define IANA_REGISTRY_NS "http://www.iana.org/assignments"
#define IANA_REGISTRY_ID "service-names-port-numbers"

/*
 * One <record>, its fields as text (NULL when absent), nothing interpreted.
 * Lists hold one item per line; an xref is "type:data".  In prose, an
 * embedded xref reads as "[data]" and <br/> as a line break.
 */
struct reg_record {
	unsigned long line;        /* of its start tag */
	char *name;
	char *protocol;
	char *number;
	char *description;
	char *note;
	char *unauthorized;
	char *date;                /* attribute: registration date */
	char *updated;             /* attribute: last modification */
	char *xrefs;               /* the record's own <xref>s */
	char *assignee;            /* xrefs inside <assignee> */
	char *contact;             /* xrefs inside <contact> */
};

/* One <person> of <people>: who an xref of type person names. */
struct reg_person {
	char *id;
	char *name;
	char *org;
	char *uri;
};

struct registry {
	char *file;                /* for diagnostics */
	uint32_t updated;          /* <updated> as YYYYMMDD, 0 when absent */
	unsigned long root_line;   /* of the root element */
	struct reg_record *records;
	size_t n_records;
	struct reg_person *people;
	size_t n_people;
};

/*
 * Parse a registry with libxml2's streaming reader, without network access,
 * DTDs or entities (a document type declaration is an error).  Every problem
 * is reported as file:line; returns 0, or -1 when any error was reported.
 */
int registry_parse_file(const char *path, struct registry *reg);
int registry_parse_memory(const char *buf, size_t len, const char *name,
			  struct registry *reg);
void registry_free(struct registry *reg);

#endif
