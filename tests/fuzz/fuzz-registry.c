/* libFuzzer target: arbitrary bytes as registry XML through the compile path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-reader.h"
#include "diag.h"
#include "registry.h"
#include "services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_options opt = { 0 };
	struct registry reg;
	struct svc_list list;
	unsigned char *image;
	size_t len;

	diag_silent = 1;
	diag_errors = 0;
	if (registry_parse_memory((const char *)data, size, "fuzz.xml", &reg) == 0 &&
	    svc_from_registry(&reg, &opt, &list) == 0) {
		if (svc_build_image(&list, &image, &len) == 0) {
			struct iana_db db;
			struct iana_entry e, f;
			char why[256];

			/* What the generator writes, the reader must accept whole. */
			if (iana_db_open(&db, image, len) != 0) {
				fprintf(stderr, "fuzz-registry: the reader refuses the image\n");
				abort();
			}
			if (iana_db_check(&db, why, sizeof(why)) != 0) {
				fprintf(stderr, "fuzz-registry: check fails: %s\n", why);
				abort();
			}
			for (uint32_t i = 0; i < db.n_entries; i++) {
				if (iana_db_entry(&db, i, &e) != 0 ||
				    !iana_db_find_name(&db, e.strings, e.proto, &f) ||
				    !iana_db_find_port(&db, e.port_lo, e.proto, &f)) {
					fprintf(stderr, "fuzz-registry: entry %u not found back\n", i);
					abort();
				}
			}
			free(image);
		}
		svc_free(&list);
	}
	registry_free(&reg);
	return 0;
}
