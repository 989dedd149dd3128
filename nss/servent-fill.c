/* Carving a struct servent's strings and alias array out of the caller's buffer. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include "servent-fill.h"

/* Padding that aligns buf for the alias array; the buffer may be unaligned. */
static size_t pad_for(const char *buf)
{
	return (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
}

size_t iana_servent_size(const struct iana_entry *e, const char *buf)
{
	return pad_for(buf) + (e->nalias + 1) * sizeof(char *) + e->strings_len +
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
	aliases = (char **)(void *)(buf + pad_for(buf));
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

/*
 * Every string is at most 16 bytes with its NUL, so with room for each as two
 * whole words the strings can be copied a word at a time, their lengths found
 * on the way, in one pass: the case of any buffer a caller really passes
 * (glibc's getservbyname starts at 1024 bytes).  A smaller buffer takes the
 * exact path above, byte for byte the same layout.
 */
enum nss_status iana_fill_hit(const struct iana_db *db, const struct iana_hit *h,
			      struct servent *res, char *buf, size_t buflen, int *errnop)
{
	unsigned nalias = h->word >> IANA_ENTRY_NALIAS_SHIFT;
	unsigned proto = (h->word >> IANA_ENTRY_PROTO_SHIFT) & IANA_ENTRY_PROTO_MASK;
	uint32_t pos = h->word & IANA_ENTRY_BLOCK_MASK;
	size_t pad = pad_for(buf);
	char **aliases, *p;

	if (buflen < pad + (nalias + 1) * (sizeof(char *) + 16) + 16) {
		struct iana_entry e;

		if (iana_db_entry(db, h->idx, &e) < 0)
			return NSS_STATUS_NOTFOUND;
		return iana_fill_servent(&e, h->port, res, buf, buflen, errnop);
	}
	aliases = (char **)(void *)(buf + pad);
	p = (char *)(aliases + nalias + 1);
	for (unsigned k = 0; k <= nalias; k++) {
		uint64_t w0, w1, z;
		uint32_t len;

		/* The database may be replaced meanwhile: bounds, and a NUL, on every string. */
		if (pos > db->strings_size - IANA_STRINGS_PAD)
			return NSS_STATUS_NOTFOUND;
		w0 = iana_get64(db->strings + pos);
		w1 = iana_get64(db->strings + pos + 8);
		if ((z = iana_zero_bytes(w0)) != 0)
			len = (uint32_t)__builtin_ctzll(z) / 8;
		else if ((z = iana_zero_bytes(w1)) != 0)
			len = 8 + (uint32_t)__builtin_ctzll(z) / 8;
		else
			return NSS_STATUS_NOTFOUND;
		memcpy(p, &w0, 8);
		memcpy(p + 8, &w1, 8);
		if (k == 0)
			res->s_name = p;
		else
			aliases[k - 1] = p;
		p += len + 1;
		pos += len + 1;
	}
	aliases[nalias] = NULL;
	/* The protocol, as two zero-padded words kept at open (NUL included). */
	memcpy(p, db->proto_w[proto], 16);
	res->s_proto = p;
	res->s_aliases = aliases;
	res->s_port = (int)htons(h->port);
	return NSS_STATUS_SUCCESS;
}
