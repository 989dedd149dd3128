/* iana-servicesdb show and diff: what the registry says, what changed. */
#ifndef IANA_INSPECT_H
#define IANA_INSPECT_H

int cmd_show(int argc, char **argv, const char *default_db);
int cmd_diff(int argc, char **argv);

#endif
