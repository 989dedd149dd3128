/*
 * fork: a process forked while another thread is inside the module must
 * still answer in the child; and fork() must not wait on the file system.
 *
 * usage: fork lookup|enum|self|check|check-enum|check-refresh DATABASE
 *        (LD_LIBRARY_PATH = the module's directory)
 *
 * The module opens and maps its file under a lock (the first lookup of a
 * process, then a file that changed), and enumerates under another.  A
 * fork() from a second thread while the first holds one of them copies the
 * lock, locked, into a child in which no thread will ever release it: the
 * child's first lookup, or its next enumeration, would wait forever.  So
 * fork() waits for them.  It must not wait for the stat() with which the
 * module looks at its file once a second, since that stat() may hang with
 * the file system: the module makes it under neither lock.
 *
 * This program makes those moments certain rather than likely.  It calls
 * the module's entry points directly (dlopen), so that no lock of glibc's
 * is involved, and defines open64(), stat64(), pthread_self() and time()
 * (linked with -rdynamic, so the module's calls bind to them), which hold
 * thread A inside the module until the main thread lets it go.  Then:
 *
 *   1. A is held:
 *      lookup: in the process's first lookup, in the module's open of the
 *        file, with the module's lock held;
 *      enum: in setservent(), just after it took the enumeration lock (the
 *        module's pthread_self(), which records the holder), the main
 *        thread having made the first lookup;
 *      check, check-enum: the main thread makes the first lookup, then
 *        time() moves on two seconds, and A's lookup (check) or
 *        setservent() (check-enum) looks at the file again and is held in
 *        its stat();
 *   2. the main thread arranges for A to be let go (300 ms later; 3 s for
 *      the check modes), and forks.  fork() must not return before A is let
 *      go (lookup, enum), or must return before (check, check-enum);
 *   3. the child, under a 10 s alarm, looks "http"/tcp up then enumerates
 *      (or the other way round, enum and check-enum);
 *   4. check modes: while A is still held, a lookup a second later in the
 *      main thread must answer without a stat() of its own (a hung file
 *      system must hold one thread, not one more a second); and the child
 *      must look at the file itself a second later (A's check, which it
 *      inherited, never ends there);
 *   5. the parent checks the child's answers against its own, once nothing
 *      is held, and A's.
 *
 * check-refresh: the file is replaced a second after the first look; A's
 * lookup sees it and is held in the open of the new file, under the lock;
 * a lookup another second later must answer from the old database rather
 * than wait behind A.  (No fork: fork() waits for that lock, by design.)
 *
 * self: thread A forks from inside the module, in its first lookup's open
 * of the database, holding the module's lock, as a signal handler could;
 * fork() must return (the alarm kills a hang), and the lookup then answer.
 *
 * Without fork handlers in the module, fork() returns at once in lookup and
 * enum, and the child hangs until the alarm kills it: the test fails.  With
 * handlers but a stat() under a lock, fork() waits in the check modes: the
 * test fails too.
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
static int enum_mode, self_mode, check_mode, refresh_mode;
static __thread int in_a;     /* this thread is A */
static atomic_int held;       /* A is held inside the module */
static atomic_int forking;    /* the main thread is about to fork */
static atomic_int let_go;     /* A may go on */
static atomic_int holds;      /* how many times A was held (must be 1) */
static atomic_int self_forked; /* self: A forked, and the child exited 0 */
static atomic_int time_ahead;  /* check: seconds added to time() */
static time_t frozen;          /* enum: what time() says (no second passes) */
static atomic_int other_stats; /* stat()s of the database by other threads while A is held */

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

/* The module's calls of these bind to the definitions here (-rdynamic). */
__attribute__((visibility("default"))) int open64(const char *path, int flags, ...);
__attribute__((visibility("default"))) int stat64(const char *path, struct stat64 *st);
__attribute__((visibility("default"))) pthread_t pthread_self(void);
__attribute__((visibility("default"))) time_t time(time_t *t);

/* The next definition of name, or NULL; looked up once, from any thread. */
static void *next_sym(void **cache, const char *name)
{
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (p == NULL) {
		p = dlsym(RTLD_NEXT, name);
		__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	}
	return p;
}

int open64(const char *path, int flags, ...)
{
	static void *cache;
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))next_sym(&cache, "open64");
	mode_t mode = 0;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (!enum_mode && (!check_mode || refresh_mode) && db_path != NULL && strcmp(path, db_path) == 0)
		hold_a();
	return real(path, flags, mode);
}

int stat64(const char *path, struct stat64 *st)
{
	static void *cache;
	int (*real)(const char *, struct stat64 *) =
		(int (*)(const char *, struct stat64 *))next_sym(&cache, "stat64");

	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (check_mode && !refresh_mode && db_path != NULL && strcmp(path, db_path) == 0) {
		if (!in_a && atomic_load(&held) && !atomic_load(&let_go))
			atomic_fetch_add(&other_stats, 1);
		hold_a();
	}
	return real(path, st);
}

pthread_t pthread_self(void)
{
	static void *cache;
	pthread_t (*real)(void) = (pthread_t (*)(void))next_sym(&cache, "pthread_self");

	if (enum_mode && !check_mode)
		hold_a();
	return real();
}

time_t time(time_t *t)
{
	static void *cache;
	time_t (*real)(time_t *) = (time_t (*)(time_t *))next_sym(&cache, "time");
	/* enum: no new second, so that A's first pthread_self() is ent_lock's. */
	time_t now = enum_mode && !check_mode ? frozen : real(NULL) + atomic_load(&time_ahead);

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

int main(int argc, char **argv)
{
	pthread_t a, rel;
	void *ra;
	long got[3] = { 0, 0, 0 }, want;
	int status, fds[2];
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "lookup") != 0 && strcmp(argv[1], "enum") != 0 &&
			  strcmp(argv[1], "self") != 0 && strcmp(argv[1], "check") != 0 &&
			  strcmp(argv[1], "check-enum") != 0 && strcmp(argv[1], "check-refresh") != 0)) {
		fprintf(stderr, "usage: fork lookup|enum|self|check|check-enum|check-refresh DATABASE\n");
		return 2;
	}
	enum_mode = strcmp(argv[1], "enum") == 0 || strcmp(argv[1], "check-enum") == 0;
	self_mode = strcmp(argv[1], "self") == 0;
	check_mode = strncmp(argv[1], "check", 5) == 0;
	refresh_mode = strcmp(argv[1], "check-refresh") == 0;
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);   /* not time(): it says frozen */
		frozen = ts.tv_sec;
	}
	db_path = argv[2];
	by_name = (nss_getservbyname_r *)iana_module_sym(db_path, "_nss_iana_getservbyname_r");
	set_ent = (nss_setservent *)iana_module_sym(db_path, "_nss_iana_setservent");
	get_ent = (nss_getservent_r *)iana_module_sym(db_path, "_nss_iana_getservent_r");
	end_ent = (nss_endservent *)iana_module_sym(db_path, "_nss_iana_endservent");

	if (refresh_mode) {
		/*
		 * A copy of the database, replaced by rename a second after the
		 * first look: A's lookup then sees the change and is held in
		 * the open of the new file, under the module's lock.  A lookup
		 * another second later must answer from the old database, not
		 * wait behind A (one more thread a second on a hung file system).
		 */
		static char copy[4096], tmp[4200];
		char cmd[32768];

		snprintf(copy, sizeof(copy), "%s.check-refresh", db_path);
		snprintf(tmp, sizeof(tmp), "%s.tmp", copy);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && mv '%s' '%s'", db_path, tmp, tmp, copy);
		if (system(cmd) != 0)
			fail("%s", cmd);
		db_path = copy;
		if (setenv("NSS_IANA_DB", db_path, 1) != 0 || lookup_http() != 0)
			fail("the module does not answer with %s", db_path);
		sleep_ms(20);   /* another mtime */
		snprintf(cmd, sizeof(cmd), "cp '%.4000s' '%s' && touch '%s' && mv '%s' '%s'", argv[2], tmp, tmp,
			 tmp, copy);
		if (system(cmd) != 0)
			fail("%s", cmd);
		atomic_store(&time_ahead, 2);
		if (pthread_create(&a, NULL, thread_a, NULL) != 0 ||
		    pthread_create(&rel, NULL, releaser, NULL) != 0)
			fail("pthread_create");
		for (int i = 0; !atomic_load(&held); i++) {
			if (i == 10000)
				fail("thread A was never held in the open of the new file");
			sleep_ms(1);
		}
		ok("thread A is held in the open of the replaced database, under the module's lock");
		atomic_store(&time_ahead, 4);
		atomic_store(&forking, 1);   /* the releaser lets A go in 3 s */
		if (lookup_http() != 0)
			fail("a lookup while thread A refreshes went wrong");
		if (atomic_load(&let_go))
			fail("a lookup a second later waited behind thread A's refresh");
		ok("a lookup a second later answered without waiting behind it");
		atomic_store(&let_go, 1);
		pthread_join(rel, NULL);
		pthread_join(a, &ra);
		if ((long)ra != 1)
			fail("thread A's lookup went wrong");
		ok("thread A's lookup answered after its refresh");
		unlink(copy);
		return 0;
	}
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
	if (check_mode || enum_mode) {
		/* The first look, here; A's comes later (two seconds, check). */
		if (lookup_http() != 0)
			fail("the module does not answer with %s", db_path);
		if (check_mode)
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
	   check_mode ? (enum_mode ? "in setservent's stat() of the database, a second later" :
				     "in a lookup's stat() of the database, a second later") :
	   enum_mode  ? "in setservent, holding its enumeration lock" :
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
		if (check_mode) {
			/*
			 * A's check never ends here: the child must still look
			 * at the file itself, a second later (stat()s counted
			 * in other_stats, the child's own copy).
			 */
			int before = atomic_load(&other_stats);

			atomic_store(&time_ahead, 8);
			got[0] &= lookup_http() == 0;
			got[2] = atomic_load(&other_stats) - before;
		}
		_exit(write(fds[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
	}
	close(fds[1]);
	if (check_mode) {
		/*
		 * Another second, with A still in its stat(): a lookup here must
		 * answer from the current database, not wait in a stat() of its
		 * own, or a hung file system would hold one more thread a second.
		 */
		atomic_store(&time_ahead, 4);
		if (lookup_http() != 0)
			fail("a lookup while thread A is held in its stat() went wrong");
		if (atomic_load(&other_stats) != 0)
			fail("a lookup made a stat() of its own while thread A was still in one");
		atomic_store(&let_go, 1);   /* fork() has returned: A may go on */
	}
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
	if (check_mode && got[2] != 1)
		fail("the child made %ld stat()s of the database a second later (want 1): "
		     "it never looks at the file again", got[2]);
	if (check_mode)
		ok("the child looked at the file again a second later");
	if (check_mode && atomic_load(&holds) != 1)
		fail("thread A's stat() was not the only one held");
	if (enum_mode ? (long)ra != want : (long)ra != 1)
		fail("thread A's own %s went wrong", argv[1]);
	if (atomic_load(&holds) < 1)
		fail("thread A was never held");
	ok("thread A finished its %s", enum_mode ? "enumeration" : "lookup");
	return 0;
}
