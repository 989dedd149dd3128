/* Reading database files whole, for the generator's subcommands. */
#ifndef IANA_DBFILE_H
#define IANA_DBFILE_H

#include <stddef.h>

#include "db-reader.h"

/* Read a whole regular file into malloc'd memory.  0, or -1 with a message. */
int slurp(const char *path, unsigned char **data, size_t *size);

/* Read and open a database; *data is the caller's to free.  0, or -1 with a message. */
int load_db(const char *path, unsigned char **data, struct iana_db *db);

#endif
