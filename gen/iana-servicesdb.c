/* iana-servicesdb: compile the IANA registry into a services database, dump and check it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db-reader.h"
#include "dbfile.h"
#include "inspect.h"
#include "diag.h"
#include "registry.h"
#include "services.h"

#ifndef IANA_VERSION
#define IANA_VERSION "unknown"
#endif
#ifndef IANA_DEFAULT_DB
#define IANA_DEFAULT_DB "/usr/share/libnss-iana/services.db"
#endif

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void usage(FILE *to)
{
	fprintf(to,
		"Usage: iana-servicesdb COMMAND [OPTION]... [ARG]...\n"
		"Compile the IANA Service Name and Port Number registry into the database\n"
		"that libnss_iana reads, and inspect such databases.\n"
		"\n"
		"Commands:\n"
		"  compile REGISTRY.xml -o FILE [--overlay SERVICES]... [-s] [-q]\n"
		"                    parse the registry's XML and write FILE atomically;\n"
		"                    each overlay (services(5) format) adds local names;\n"
		"                    -o, --output FILE; -s, --strict: an unknown protocol\n"
		"                    is an error; -q, --quiet: no warnings\n"
		"  dump [FILE]       print the database in services(5) format\n"
		"  check [FILE]      validate the whole database; exit 1 with a reason if unsound\n"
		"  info [FILE]       print the header and section sizes\n"
		"  show QUERY [-d, --db FILE] [-j, --json]\n"
		"                    what the registry says about a name, a port,\n"
		"                    PORT/PROTOCOL or NAME/PROTOCOL; exit 1 if not found\n"
		"  diff OLD NEW [-j, --json]\n"
		"                    what changed between two registries or databases;\n"
		"                    exit 1 when a name of OLD is absent from NEW\n"
		"\n"
		"FILE defaults to %s.\n"
		"Without a command: -h, --help; -V, --version.  After compile, show or\n"
		"diff, -h or --help prints that command's usage.\n"
		"Exit status: 0 success, 1 failure, 2 usage error (for show and diff, also\n"
		"an input that cannot be read).\n",
		IANA_DEFAULT_DB);
}

/* Write data to path atomically: a temporary beside it, fsync, rename. */
static int write_atomic(const char *path, const unsigned char *data, size_t len)
{
	char *tmp = xasprintf("%s.XXXXXX", path), *dircopy, *dir;
	size_t done = 0;
	int fd, dfd;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		diag_error(path, 0, "cannot create a temporary file beside it: %s", strerror(errno));
		free(tmp);
		return -1;
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		done += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	/* Make the rename itself durable. */
	dircopy = xstrdup(path);
	dir = dirname(dircopy);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dircopy);
	free(tmp);
	return 0;
fail:
	diag_error(path, 0, "cannot write: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

static int cmd_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "overlay", required_argument, NULL, 'O' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct svc_options so = { 0 };
	const char *output = NULL;
	const char *overlays[64];
	int n_overlays = 0;
	struct registry reg;
	struct svc_list list;
	unsigned char *image;
	size_t size;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":o:sqh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'O':
			if (n_overlays == (int)(sizeof(overlays) / sizeof(overlays[0])))
				return diag_usage("compile: more than %d overlays", n_overlays);
			overlays[n_overlays++] = optarg;
			break;
		case 's': so.strict = 1; break;
		case 'q': diag_quiet_warnings = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: return diag_option_error("compile", argv, c);
		}
	}
	if (optind + 1 != argc)
		return diag_usage("compile: %s", optind == argc ? "missing REGISTRY.xml" :
				   "more than one REGISTRY.xml");
	if (output == NULL)
		return diag_usage("compile: %s", "missing -o FILE");

	rc = registry_parse_file(argv[optind], &reg);
	if (rc == 0)
		rc = svc_from_registry(&reg, &so, &list);
	for (int i = 0; rc == 0 && i < n_overlays; i++)
		if (svc_apply_overlay(&list, overlays[i]) < 0) {
			svc_free(&list);
			rc = -1;
		}
	if (rc == 0) {
		rc = svc_build_image(&list, &image, &size);
		svc_free(&list);
	}
	if (rc == 0) {
		rc = write_atomic(output, image, size);
		free(image);
	}
	registry_free(&reg);
	if (rc != 0 || diag_errors) {
		fprintf(stderr, "%s: %u error(s); %s left unchanged\n", diag_program, diag_errors, output);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The FILE of dump, check and info, which take no options; NULL after a usage error. */
static const char *db_arg(int argc, char **argv, const char *cmd)
{
	int i = 1;

	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;   /* a FILE that starts with '-' follows */
	else if (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		diag_usage("%s: unknown option '%s' (%s takes none)", cmd, argv[i], cmd);
		return NULL;
	}
	if (argc - i > 1) {
		diag_usage("%s: too many arguments", cmd);
		return NULL;
	}
	return i < argc ? argv[i] : IANA_DEFAULT_DB;
}

static void print_date(FILE *to, uint32_t d)
{
	if (d)
		fprintf(to, "%04u-%02u-%02u", d / 10000, d / 100 % 100, d % 100);
	else
		fputs("(unknown)", to);
}

static int cmd_dump(int argc, char **argv)
{
	const char *path = db_arg(argc, argv, "dump");
	unsigned char *data;
	struct iana_db db;

	if (path == NULL)
		return EXIT_USAGE;
	if (load_db(path, &data, &db) < 0)
		return EXIT_FAIL;
	fputs("# IANA Service Name and Transport Protocol Port Number Registry, updated ", stdout);
	print_date(stdout, db.updated);
	fputs("\n# services(5) format, written by iana-servicesdb dump; "
	      "one line per port of a range.\n", stdout);
	for (uint32_t i = 0; i < db.n_entries; i++) {
		struct iana_entry e;

		if (iana_db_entry(&db, i, &e) < 0) {
			fprintf(stderr, "%s: entry %u is damaged; skipped\n", path, i);
			continue;
		}
		for (uint32_t p = e.port_lo; p <= e.port_hi; p++) {
			const char *s = e.strings;

			printf("%-15s %u/%s", s, p, e.proto);
			for (unsigned k = 0; k < e.nalias; k++) {
				s += strlen(s) + 1;
				printf("%s%s", k ? " " : "\t", s);
			}
			putchar('\n');
		}
	}
	free(data);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", diag_program, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	const char *path = db_arg(argc, argv, "check");
	unsigned char *data;
	struct iana_db db;
	char why[256];

	if (path == NULL)
		return EXIT_USAGE;
	if (load_db(path, &data, &db) < 0)
		return EXIT_FAIL;
	if (iana_db_check(&db, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: %s\n", path, why);
		free(data);
		return EXIT_FAIL;
	}
	free(data);
	return EXIT_OK;
}

static int cmd_info(int argc, char **argv)
{
	static const char *const names[IANA_SEC_COUNT] = {
		"strings", "protos", "entries", "ranges", "name_disp", "name_offs",
		"name_post", "port_bitmap", "port_rank", "port_offs", "port_post",
		"info", "reserved",
	};
	const char *path = db_arg(argc, argv, "info");
	unsigned char *data;
	struct iana_db db;
	uint32_t lookup = IANA_DB_HEADER_SIZE;

	if (path == NULL)
		return EXIT_USAGE;
	if (load_db(path, &data, &db) < 0)
		return EXIT_FAIL;
	printf("format version: %u\nregistry updated: ", IANA_DB_VERSION);
	print_date(stdout, db.updated);
	printf("\nfile size: %zu\nchecksum: %08x\nentries: %u\nlines: %u\nranges: %u\n"
	       "protocols: %u\nnames: %u (slots %u, buckets %u, seed %u)\nports: %u\n",
	       db.size, iana_get32(db.base + IANA_H_CHECKSUM), db.n_entries, db.n_lines,
	       db.n_ranges, db.n_protos, db.n_names, db.name_slots, db.name_buckets,
	       db.name_seed, db.n_ports);
	for (unsigned s = 0; s < IANA_SEC_COUNT; s++) {
		uint32_t len = iana_get32(db.base + IANA_H_SECTIONS + 8 * s + 4);

		printf("section %-12s offset %7u size %7u\n", names[s],
		       iana_get32(db.base + IANA_H_SECTIONS + 8 * s), len);
		if (s < IANA_SEC_LOOKUP_COUNT)
			lookup += len;
	}
	printf("lookup data: %u\n", lookup);
	free(data);
	return EXIT_OK;
}

static int cmd_show_default(int argc, char **argv)
{
	return cmd_show(argc, argv, IANA_DEFAULT_DB);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} cmds[] = {
		{ "compile", cmd_compile },
		{ "dump", cmd_dump },
		{ "check", cmd_check },
		{ "info", cmd_info },
		{ "show", cmd_show_default },
		{ "diff", cmd_diff },
	};

	opterr = 0;   /* option errors are reported by diag_option_error() */
	if (argc < 2)
		return diag_usage("%s", "missing COMMAND");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("iana-servicesdb (libnss-iana) %s\n", IANA_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	return diag_usage("unknown command '%s'", argv[1]);
}
