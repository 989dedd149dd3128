/* From registry records to services(5) entries, and on to the database image. */
#ifndef IANA_SERVICES_H
#define IANA_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* The protocols the database knows, in the order of its PROTOS section. */
#define SVC_NPROTOS 4
extern const char *const svc_protos[SVC_NPROTOS];

struct svc_entry {
	char *name;
	char **aliases;
	unsigned nalias;
	unsigned proto;            /* index into svc_protos */
	uint16_t lo, hi;           /* inclusive port range */
	unsigned long line;        /* of the record it came from */
	const char *alias_of;      /* the note's "alias to" target, or NULL */
	int folded;                /* became an alias of another entry */
};

struct svc_list {
	uint32_t updated;
	struct svc_entry *e;
	size_t n;
};

struct svc_options {
	int strict;                /* unknown protocols are errors, not warnings */
};

/*
 * Apply the rules of FORMAT.md ("From the registry to entries"): which
 * records yield entries, ranges, protocols, aliases, duplicates.  Problems
 * are reported as file:line.  Returns 0, or -1 (and *out is empty) when any
 * error was reported.
 */
int svc_from_registry(const struct registry *reg, const struct svc_options *opt,
		      struct svc_list *out);
void svc_free(struct svc_list *l);

/* Lay the entries out as a database image (malloc'd).  0, or -1 with a message. */
int svc_build_image(const struct svc_list *l, unsigned char **image, size_t *size);

/* Is s a name that services(5) can carry: 1-15 printable bytes, no '#'? */
int svc_valid_name(const char *s);

#endif
