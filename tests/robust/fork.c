/*
 * fork: a process forked while another thread is inside the module, holding
 * its lock, must still answer in the child.
 *
 * usage: fork lookup|enum|self|check DATABASE   (LD_LIBRARY_PATH = the module's directory)
 *
 * The module opens and maps its file under a lock (the first lookup of a
 * process, then a file that changed), and enumerates under another.  A fork() from
 * a second thread while the first holds one of them copies the lock, locked,
 * into a child in which no thread will ever release it: the child's first
 * lookup, or its next enumeration, would wait forever.
 *
 * This program makes that moment certain rather than likely.  It calls the
 * module's entry points directly (dlopen), so that no lock of glibc's is
 * involved, and defines open64() and time() (linked with -rdynamic, so the
 * module's calls bind to them), which hold thread A inside the module until
 * the main thread lets it go.  Then:
 *
 *   1. thread A makes the process's first lookup (lookup), and is held in
 *      the module's open of the file, with the module's lock held; or it
 *      starts an enumeration (enum), and is held in its first time(), with
 *      the enumeration lock held and the other not;
 *   2. the main thread arranges for A to be let go 300 ms later, and forks;
 *      fork() must not return before A is let go;
 *   3. the child, under a 10 s alarm, meets the lock A held first: it looks
 *      "http"/tcp up then enumerates (lookup), or the other way round (enum);
 *   4. the parent checks the child's answers against its own, once nothing
 *      is held, and A's.
 *
 * check: the main thread makes the first lookup; then time() moves on a
 * second, and A's lookup makes the once-a-second check of the file, and is
 * held in its stat().  That check takes no lock, so fork() must return
 * while A is still held (a hung file system must not stall every fork()
 * of the process), and the child answer.
 *
 * self: thread A forks from inside the module, in its first lookup's open
 * of the database, holding the module's lock, as a signal handler could;
 * fork() must return (the alarm kills a hang), and the lookup then answer.
 *
 * Without fork handlers in the module, fork() returns at once and the child
 * hangs until the alarm kills it: the test fails.  With them, fork() waits
 * until A has left the module, and the child answers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

static const char *db_path;
static int enum_mode, self_mode, check_mode;
static __thread int in_a;     /* this thread is A */
static atomic_int held;       /* A is held inside the module */
static atomic_int forking;    /* the main thread is about to fork */
static atomic_int let_go;     /* A may go on */
static atomic_int holds;      /* how many times A was held (must be 1) */
static atomic_int self_forked; /* self: A forked, and the child exited 0 */
static atomic_int time_ahead;  /* check: seconds added to time() */

/*
 * Called by the interposers in thread A, the first time: hold A until it is
 * let go; or (self) fork from right here, as a signal handler might, with
 * the child exiting at once.
 */
static void hold_a(void)
{
	if (!in_a || atomic_fetch_add(&holds, 1) != 0)
		return;
	if (self_mode) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			atomic_store(&self_forked, 1);
		return;
	}
	atomic_store(&held, 1);
	while (!atomic_load(&let_go))
		usleep(1000);
}

/*
 * The module's calls of these bind to the definitions here (-rdynamic).
 * lookup: A is held in the open of the database, inside the first lookup,
 * with db_lock held.  enum: A is held in setservent's first time(), before
 * the database is looked at, with ent_lock held and db_lock not.  check: A
 * is held in the stat() of the database that the once-a-second check makes.
 */
__attribute__((visibility("default"))) int open64(const char *path, int flags, ...);
__attribute__((visibility("default"))) int stat64(const char *path, struct stat64 *st);
__attribute__((visibility("default"))) time_t time(time_t *t);

int open64(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (__atomic_load_n(&real, __ATOMIC_ACQUIRE) == NULL)
		__atomic_store_n(&real, (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64"),
				 __ATOMIC_RELEASE);
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!enum_mode && !check_mode && db_path != NULL && strcmp(path, db_path) == 0)
		hold_a();
	return real(path, flags, mode);
}

int stat64(const char *path, struct stat64 *st)
{
	static int (*real)(const char *, struct stat64 *);

	if (__atomic_load_n(&real, __ATOMIC_ACQUIRE) == NULL)
		__atomic_store_n(&real, (int (*)(const char *, struct stat64 *))dlsym(RTLD_NEXT, "stat64"),
				 __ATOMIC_RELEASE);
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (check_mode && db_path != NULL && strcmp(path, db_path) == 0)
		hold_a();
	return real(path, st);
}

time_t time(time_t *t)
{
	static time_t (*real)(time_t *);

	if (__atomic_load_n(&real, __ATOMIC_ACQUIRE) == NULL)
		__atomic_store_n(&real, (time_t (*)(time_t *))dlsym(RTLD_NEXT, "time"), __ATOMIC_RELEASE);
	time_t now;

	if (enum_mode)
		hold_a();
	now = real(NULL) + atomic_load(&time_ahead);
	if (t != NULL)
		*t = now;
	return now;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static nss_getservbyname_r *by_name;
static nss_setservent *set_ent;
static nss_getservent_r *get_ent;
static nss_endservent *end_ent;

/* 0 when "http"/tcp is port 80, else 1. */
static int lookup_http(void)
{
	struct servent se;
	char buf[1024];
	int err = 0;

	return by_name("http", "tcp", &se, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS &&
	       ntohs((uint16_t)se.s_port) == 80 ? 0 : 1;
}

/* The number of entries a whole enumeration gives, or -1. */
static long enumerate(void)
{
	struct servent se;
	char buf[1024];
	long n = 0;
	int err = 0;

	if (set_ent(0) != NSS_STATUS_SUCCESS)
		return -1;
	while (get_ent(&se, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS)
		n++;
	end_ent();
	return n;
}

static void *thread_a(void *arg)
{
	(void)arg;
	in_a = 1;
	return (void *)(enum_mode ? enumerate() : (long)!lookup_http());
}

/*
 * Lets A go after the main thread says it is about to fork: 300 ms later,
 * or (check, where fork() must not wait for A, and the main thread lets A go
 * itself once fork() has returned) 3 s later, which fork() alone does not
 * take even on a slow machine.
 */
static void *releaser(void *arg)
{
	(void)arg;
	while (!atomic_load(&forking))
		sleep_ms(1);
	for (int ms = 0; ms < (check_mode ? 3000 : 300) && !atomic_load(&let_go); ms++)
		sleep_ms(1);
	atomic_store(&let_go, 1);
	return NULL;
}

static void *sym(void *lib, const char *name)
{
	void *p = dlsym(lib, name);

	if (p == NULL)
		fail("libnss_iana.so.2 has no %s", name);
	return p;
}

int main(int argc, char **argv)
{
	pthread_t a, rel;
	void *lib, *ra;
	long got[2], want;
	int status, fds[2];
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "lookup") != 0 && strcmp(argv[1], "enum") != 0 &&
			  strcmp(argv[1], "self") != 0 && strcmp(argv[1], "check") != 0)) {
		fprintf(stderr, "usage: fork lookup|enum|self|check DATABASE\n");
		return 2;
	}
	enum_mode = strcmp(argv[1], "enum") == 0;
	self_mode = strcmp(argv[1], "self") == 0;
	check_mode = strcmp(argv[1], "check") == 0;
	db_path = argv[2];
	if (setenv("NSS_IANA_DB", db_path, 1) != 0)
		fail("setenv");
	if ((lib = dlopen("libnss_iana.so.2", RTLD_NOW)) == NULL)
		fail("dlopen libnss_iana.so.2: %s", dlerror());
	by_name = (nss_getservbyname_r *)sym(lib, "_nss_iana_getservbyname_r");
	set_ent = (nss_setservent *)sym(lib, "_nss_iana_setservent");
	get_ent = (nss_getservent_r *)sym(lib, "_nss_iana_getservent_r");
	end_ent = (nss_endservent *)sym(lib, "_nss_iana_endservent");

	if (self_mode) {
		/*
		 * A forks inside its first lookup, in the module's open of the
		 * database, holding the module's lock: fork() must not wait for
		 * the lock its own thread holds.  A hang is killed by the alarm.
		 */
		alarm(10);
		if (pthread_create(&a, NULL, thread_a, NULL) != 0 || pthread_join(a, &ra) != 0)
			fail("pthread_create");
		if (atomic_load(&holds) != 1)
			fail("thread A never opened the database");
		if (!atomic_load(&self_forked))
			fail("the fork from inside the module failed");
		if ((long)ra != 1)
			fail("thread A's lookup went wrong after it forked");
		ok("a fork from inside the module, holding its lock, returned; the lookup then answered");
		return 0;
	}
	if (check_mode) {
		/* The first look, here; A's lookup comes a second later. */
		if (lookup_http() != 0)
			fail("the module does not answer with %s", db_path);
		atomic_store(&time_ahead, 2);
	}
	if (pthread_create(&a, NULL, thread_a, NULL) != 0)
		fail("pthread_create");
	for (int i = 0; !atomic_load(&held); i++) {
		if (i == 10000)
			fail("thread A was never held inside the module");
		sleep_ms(1);
	}
	ok("thread A is held inside the module, %s",
	   enum_mode  ? "in setservent, holding its enumeration lock" :
	   check_mode ? "in the once-a-second stat() of the database" :
			"in its first lookup's open of the database, holding its lock");

	if (pipe(fds) != 0 || pthread_create(&rel, NULL, releaser, NULL) != 0)
		fail("pipe or pthread_create");
	atomic_store(&forking, 1);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid > 0 && !check_mode && !atomic_load(&let_go)) {
		/* fork() returned while A still held the lock: the child has it. */
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail("fork() did not wait for the lock thread A holds");
	}
	if (pid > 0 && check_mode && atomic_load(&let_go)) {
		waitpid(pid, &status, 0);
		fail("fork() waited for thread A's stat() of the database");
	}
	if (pid == 0) {
		/* Each mode meets the lock thread A held first. */
		alarm(10);
		close(fds[0]);
		if (enum_mode) {
			got[1] = enumerate();
			got[0] = lookup_http() == 0;
		} else {
			got[0] = lookup_http() == 0;
			got[1] = enumerate();
		}
		_exit(write(fds[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	close(fds[1]);
	if (check_mode)
		atomic_store(&let_go, 1);   /* fork() has returned: A may go on */
	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		fail("the child hung in the module (killed by signal %d after 10 s)", WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || read(fds[0], got, sizeof(got)) != sizeof(got))
		fail("the child failed (status %d)", status);
	pthread_join(rel, NULL);
	pthread_join(a, &ra);

	/* The parent's answers, now that nothing is held. */
	want = enumerate();
	if (want <= 0 || lookup_http() != 0)
		fail("the module does not answer with %s", db_path);
	if (got[0] != 1 || got[1] != want)
		fail("the child answered http/tcp %s and enumerated %ld entries (want %ld)",
		     got[0] ? "right" : "wrong", got[1], want);
	ok("the child, forked meanwhile, looked up http/tcp and enumerated %ld entries", got[1]);
	if (check_mode && atomic_load(&holds) != 1)
		fail("thread A's stat() was not the only one held");
	if (enum_mode ? (long)ra != want : (long)ra != 1)
		fail("thread A's own %s went wrong", argv[1]);
	if (atomic_load(&holds) < 1)
		fail("thread A was never held");
	ok("thread A finished its %s", enum_mode ? "enumeration" : "lookup");
	return 0;
}
