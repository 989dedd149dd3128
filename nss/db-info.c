/* The INFO section: what the registry says about each record, for people. */
#include <string.h>

#include "db-reader.h"

uint32_t iana_db_info_count(const struct iana_db *db)
{
	uint32_t n;

	if (db->info_size < 4 || db->info[db->info_size - 1] != '\0')
		return 0;
	n = iana_get32(db->info);
	return n <= (db->info_size - 4) / 4 ? n : 0;
}

int iana_db_info(const struct iana_db *db, uint32_t i, struct iana_info *out)
{
	uint32_t off, pos;

	if (i >= iana_db_info_count(db))
		return -1;
	off = iana_get32(db->info + 4 + 4 * (size_t)i);
	if (off > db->info_size || db->info_size - off < IANA_INFO_HEAD + IANA_INFO_FIELDS)
		return -1;
	out->port_lo = iana_get16(db->info + off);
	out->port_hi = iana_get16(db->info + off + 2);
	out->proto = db->info[off + 4];
	out->flags = db->info[off + 5];
	if (out->port_lo > out->port_hi ||
	    (out->proto != IANA_INFO_NO_PROTO && out->proto >= db->n_protos))
		return -1;
	pos = off + IANA_INFO_HEAD;
	for (unsigned k = 0; k < IANA_INFO_FIELDS; k++) {
		if (pos >= db->info_size)
			return -1;
		/* The section ends with a NUL, so strlen stays inside it. */
		out->field[k] = (const char *)db->info + pos;
		pos += (uint32_t)strlen(out->field[k]) + 1;
	}
	return 0;
}
