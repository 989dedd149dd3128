/* Reading database files whole, for the generator's subcommands. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbfile.h"
#include "diag.h"

/* Read a whole file into memory.  0, or -1 with a message. */
int slurp(const char *path, unsigned char **data, size_t *size)
{
	struct stat st;
	unsigned char *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);  /* a FIFO must not hang us */

	if (fd < 0) {
		diag_error(path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diag_error(path, 0, "not a regular file");
		close(fd);
		return -1;
	}
	p = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			diag_error(path, 0, "read failed: %s", r < 0 ? strerror(errno) : "file shrank");
			free(p);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*data = p;
	*size = got;
	return 0;
}

/* Why iana_db_open() refused an image, in words. */
static const char *open_reason(const unsigned char *p, size_t n)
{
	if (n < IANA_DB_HEADER_SIZE)
		return "file too short for a database header";
	if (memcmp(p, IANA_DB_MAGIC, IANA_DB_MAGIC_LEN) != 0)
		return "not a libnss-iana services database (bad magic)";
	if (iana_get32(p + IANA_H_VERSION) != IANA_DB_VERSION)
		return "unsupported format version";
	if (iana_get32(p + IANA_H_FILE_SIZE) != n)
		return "file size differs from the header's (truncated or extended)";
	return "header or section table out of bounds";
}

int load_db(const char *path, unsigned char **data, struct iana_db *db)
{
	size_t size;

	if (slurp(path, data, &size) < 0)
		return -1;
	if (iana_db_open(db, *data, size) != 0) {
		diag_error(path, 0, "%s", open_reason(*data, size));
		free(*data);
		return -1;
	}
	return 0;
}

