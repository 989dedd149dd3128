/* Carving a struct servent's strings and alias array out of the caller's buffer. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include "db-lookup.h"
#include "servent-fill.h"

size_t iana_servent_size(const struct iana_entry *e, const char *buf)
{
	return iana_pad_for(buf) + (e->nalias + 1) * sizeof(char *) + e->strings_len +
	       e->proto_len + 1;
}

enum nss_status iana_fill_servent(const struct iana_entry *e, uint16_t port,
				  struct servent *res, char *buf, size_t buflen, int *errnop)
{
	size_t need = iana_servent_size(e, buf);
	char **aliases, *p, *s, *end;

	if (buflen < need) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	/* Layout: padding, alias pointers, name and aliases, protocol. */
	aliases = (char **)(void *)(buf + iana_pad_for(buf));
	p = (char *)(aliases + e->nalias + 1);
	memcpy(p, e->strings, e->strings_len);
	/*
	 * The copy is scanned within its own bounds: the database may have been
	 * replaced under a reader that raced with the update, whose answer is
	 * then discarded, but must not have run outside the buffer meanwhile.
	 */
	end = p + e->strings_len - 1;
	*end = '\0';
	res->s_name = p;
	s = p + (e->name_len < e->strings_len ? e->name_len : 0) + 1;
	for (unsigned i = 0; i < e->nalias; i++) {
		if (s > end)
			s = end;
		aliases[i] = s;
		s += strnlen(s, (size_t)(end - s)) + 1;
	}
	aliases[e->nalias] = NULL;
	p += e->strings_len;
	memcpy(p, e->proto, e->proto_len);
	p[e->proto_len] = '\0';
	res->s_proto = p;
	res->s_aliases = aliases;
	res->s_port = (int)htons(port);
	assert((size_t)(p + e->proto_len + 1 - buf) == need);
	return NSS_STATUS_SUCCESS;
}

enum nss_status iana_fill_exact(const struct iana_db *db, const struct iana_hit *h,
				struct servent *res, char *buf, size_t buflen, int *errnop)
{
	struct iana_entry e;

	if (iana_db_entry(db, h->idx, &e) < 0)
		return NSS_STATUS_NOTFOUND;
	return iana_fill_servent(&e, h->port, res, buf, buflen, errnop);
}

enum nss_status iana_fill_hit(const struct iana_db *db, const struct iana_hit *h,
			      struct servent *res, char *buf, size_t buflen, int *errnop)
{
	return iana_fill(db, h, res, buf, buflen, errnop);
}
