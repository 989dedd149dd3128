/* From registry records to services(5) entries, and on to the database image. */
#ifndef IANA_SERVICES_H
#define IANA_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "db-format.h"
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
	const char *description;   /* points into the matching svc_info */
};

/* What a registry record (or an overlay line) says, for `show` and `diff`. */
struct svc_info {
	uint16_t lo, hi;
	uint8_t proto;             /* index into svc_protos, or IANA_INFO_NO_PROTO */
	uint8_t flags;             /* IANA_INFO_HAS_PORT, IANA_INFO_LOCAL */
	char *field[IANA_INFO_FIELDS];
};

struct svc_list {
	uint32_t updated;
	struct svc_entry *e;
	size_t n;
	size_t n_registry;         /* the registry's entries; overlays' follow */
	struct svc_info *info;
	size_t n_info;
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

/*
 * Apply an overlay in services(5) format (FORMAT.md, "Overlays"): names on
 * a port and protocol the registry has become aliases of its entry, others
 * new entries after the registry's; a name the registry uses elsewhere is a
 * conflict (warning, the registry wins).  0, or -1 when an error was reported.
 */
int svc_apply_overlay(struct svc_list *l, const char *path);

/* Lay the entries out as a database image (malloc'd).  0, or -1 with a message. */
int svc_build_image(const struct svc_list *l, unsigned char **image, size_t *size);


#endif
