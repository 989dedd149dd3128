/* Copying a database entry into a caller's struct servent and buffer. */
#ifndef IANA_SERVENT_FILL_H
#define IANA_SERVENT_FILL_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>

#include "db-reader.h"

/* The buffer an entry needs when filled at buf (its alignment matters). */
size_t iana_servent_size(const struct iana_entry *e, const char *buf);

/*
 * Fill *res from e with s_port = htons(port): every pointer into buf, never
 * into the database.  NSS_STATUS_TRYAGAIN with *errnop = ERANGE when buflen
 * is too small, leaving *res untouched; else NSS_STATUS_SUCCESS.
 */
enum nss_status iana_fill_servent(const struct iana_entry *e, uint16_t port,
				  struct servent *res, char *buf, size_t buflen, int *errnop);

/*
 * The same for a lookup's answer, with s_port = htons(h->port), copied
 * straight from the database.  Also NSS_STATUS_NOTFOUND when the entry's
 * strings are not sound (a database replaced under the reader).
 */
enum nss_status iana_fill_hit(const struct iana_db *db, const struct iana_hit *h,
			      struct servent *res, char *buf, size_t buflen, int *errnop);

#endif
