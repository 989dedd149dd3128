/* libnss_iana: glibc NSS services entry points over the mapped IANA database. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db-lookup.h"

#define EXPORT __attribute__((visibility("default")))

/* Checked against the installed <nss.h>, so the signatures cannot drift. */
EXPORT nss_getservbyname_r _nss_iana_getservbyname_r;
EXPORT nss_getservbyport_r _nss_iana_getservbyport_r;
EXPORT nss_setservent _nss_iana_setservent;
EXPORT nss_getservent_r _nss_iana_getservent_r;
EXPORT nss_endservent _nss_iana_endservent;

/* A database larger than this is not one the generator wrote. */
#define DB_SIZE_MAX (64u << 20)

/*
 * How a replaced database is released without a lock or an atomic
 * read-modify-write on the lookup path.
 *
 * A database is mapped into a region, where at least TAIL_ZEROS bytes of
 * zeros follow it: an anonymous read-only reservation longer than the file,
 * with the file mapped over its start; or, for the first database of the
 * process, the file mapped alone when its last page has that many bytes to
 * spare (region_map()).  A lookup reads the generation, the
 * current descriptor, does its work, and reads the generation again; when it
 * changed, the answer is discarded and the lookup runs again (a seqlock).
 *
 * A replaced region is never unmapped: it is turned back into anonymous zero
 * pages with one MAP_FIXED mmap (atomic: no moment where it is unmapped) and
 * kept for the next database to be mapped into.  A lookup still reading it
 * therefore reads zeros or another database, always inside the region, and
 * its generation check sends it round again.  Descriptors are immutable once
 * published and never freed, so a late reader never reads a changed one
 * (only their bits of verified entries and lists change, from 0 to 1, and
 * a late reader can set one only in its own, retired, descriptor).
 * A file of a steady size takes turns between two regions.  A file that
 * grows adds one each time it outgrows them (a reservation has a quarter
 * of slack), up to DB_SIZE_MAX; a smaller file may take a larger free
 * region.  None is a mapping of a file once retired, so the ones not in use
 * cost address space, not memory.
 *
 * An enumeration pins its descriptor (a single hazard pointer): the region
 * of a pinned descriptor is not retired until the enumeration ends, so it
 * continues on the database it started with, as nss_files continues with the
 * file it has open.
 */
enum region_state { REGION_FREE, REGION_IN_USE, REGION_DEFERRED };

struct region {
	void *addr;
	size_t len;
	enum region_state state;
	struct dbref *owner;
	struct region *next;
};

struct dbref {
	struct iana_db db;
	struct region *region;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	struct dbref *next;        /* every descriptor made, for the record */
};

static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;   /* refresh(): map, publish, retire */
static _Atomic(struct dbref *) current;
static atomic_uint generation;
/* Before the first look: a second time() never gives, not even a clock stuck at 0. */
#define NEVER ((time_t)(sizeof(time_t) == 8 ? INT64_MIN : INT32_MIN))
static _Atomic(time_t) checked = NEVER;   /* the second of the last check; see look_again() */
static atomic_uintptr_t checker;     /* the thread making an unlocked check (self_id()), or 0 */
static atomic_int unavail_errno = ENOENT;
static _Atomic(struct dbref *) pinned;
static struct region *regions;
static struct dbref *descriptors;
static const char *db_path;         /* set at the first look; NULL before */
static struct stat failed_st;        /* a file that failed validation */
static int have_failed_st, failed_err;

static pthread_mutex_t ent_lock = PTHREAD_MUTEX_INITIALIZER;   /* the cursor */
static struct {
	struct dbref *d;
	uint32_t idx;            /* the entry */
	int have;                /* its word and ports below are loaded */
	uint32_t word;
	uint32_t next, last;     /* the next port to hand out, and its last */
} cursor;

/*
 * The thread holding each lock (pthread_self() as a number), 0 when it is
 * free: set by the holder just after it locks, cleared just before it
 * unlocks.  Only fork_prepare() reads them, to know whether the thread that
 * forks holds one itself (a signal handler that forks, say), so that it
 * never waits for itself.
 */
static atomic_uintptr_t ent_holder, db_holder;

static uintptr_t self_id(void)
{
	return (uintptr_t)pthread_self();
}

static void lock(pthread_mutex_t *m, atomic_uintptr_t *holder)
{
	pthread_mutex_lock(m);
	atomic_store_explicit(holder, self_id(), memory_order_relaxed);
}

static void unlock(pthread_mutex_t *m, atomic_uintptr_t *holder)
{
	atomic_store_explicit(holder, 0, memory_order_relaxed);
	pthread_mutex_unlock(m);
}

/*
 * fork() from one thread while another holds db_lock (mapping the file)
 * or ent_lock (enumerating) would give the child a lock that no thread of
 * its own will ever release: its first lookup, or its next enumeration,
 * would wait forever (tests/robust/fork.c).  So fork() waits until neither
 * is held by another thread, as glibc's malloc does for its arenas, taking
 * them in the order getservent_r does: ent_lock, then db_lock.  A lock the
 * forking thread holds itself is not taken again; and holding db_lock, it
 * takes ent_lock only if it is free, since waiting for it would reverse the
 * order.  fork_took, which says what was taken, is only touched with
 * db_lock held.  The handlers lock without lock()/unlock(): what they take
 * is released by fork_done(), never by the code that reads the holders.
 */
static unsigned fork_took;   /* 1: ent_lock, 2: db_lock */

static void fork_prepare(void)
{
	uintptr_t self = self_id();
	int own_db = atomic_load_explicit(&db_holder, memory_order_relaxed) == self;
	unsigned took = 0;

	if (atomic_load_explicit(&ent_holder, memory_order_relaxed) != self) {
		if (!own_db) {
			pthread_mutex_lock(&ent_lock);
			took |= 1;
		} else if (pthread_mutex_trylock(&ent_lock) == 0) {
			took |= 1;
		}
	}
	if (!own_db) {
		pthread_mutex_lock(&db_lock);
		took |= 2;
	}
	fork_took = took;
}

static void fork_done(void)   /* in the parent and in the child */
{
	unsigned took = fork_took;

	if (took & 2)
		pthread_mutex_unlock(&db_lock);
	if (took & 1)
		pthread_mutex_unlock(&ent_lock);
}

/* In the child, a check another thread was making will never end: forget it. */
static void fork_child(void)
{
	if (atomic_load(&checker) != self_id())
		atomic_store(&checker, 0);
	fork_done();
}

__attribute__((constructor)) static void register_fork_handlers(void)
{
	/* Only fails without memory; fork then behaves as before. */
	(void)pthread_atfork(fork_prepare, fork_done, fork_child);
}

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/*
 * Regions and descriptors live as long as the process: a late reader may
 * hold any of them.  They come from anonymous pages rather than malloc, so
 * that nothing looks lost when glibc unloads the module at exit (valgrind's
 * __libc_freeres), and so that the module never touches the caller's heap
 * after its first use.  A few hundred bytes per database replacement.
 * Called with db_lock held; zeroed memory, or NULL.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t len;
};

/*
 * The first chunk is part of the module's .data: enough for the first
 * database's bookkeeping (about 4 KiB for the full registry), so that the
 * first lookup makes no mmap() of its own for it.  In .data, not .bss: the
 * loader maps a .bss larger than the rest of the last page with an mmap()
 * of its own.  Its pages cost memory only once written.
 */
#define ARENA_FIRST_SIZE 8192
static unsigned char arena_first[ARENA_FIRST_SIZE]
	__attribute__((aligned(16), section(".data")));
static struct arena_chunk *arena_chunks;   /* those mapped, not arena_first */
static unsigned char *arena_next = arena_first;
static size_t arena_left = sizeof(arena_first);

static void *arena_alloc(size_t n)
{
	n = round_up(n, 16);
	if (n > arena_left) {
		size_t head = round_up(sizeof(struct arena_chunk), 16);
		size_t len = round_up(n + head, page_size());
		struct arena_chunk *c = mmap(NULL, len, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (c == MAP_FAILED)
			return NULL;
		c->next = arena_chunks;
		c->len = len;
		arena_chunks = c;
		arena_next = (unsigned char *)c + head;
		arena_left = len - head;
	}
	arena_next += n;
	arena_left -= n;
	return arena_next - n;
}

/* Zero a region in place; it stays mapped.  0, or -1 (it then keeps its data). */
static int region_clear(struct region *r)
{
	void *p = mmap(r->addr, r->len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -1 : 0;
}

/* Record the mapping [p, p + len) as a free region; NULL without memory. */
static struct region *region_add(void *p, size_t len)
{
	struct region *r = arena_alloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	r->addr = p;
	r->len = len;
	r->state = REGION_FREE;
	r->next = regions;
	regions = r;
	return r;
}

/* Bytes of zeros that follow a database in its region, at least. */
#define TAIL_ZEROS 64

/*
 * Map the file (size bytes, open as fd) into a region: a free one with room
 * for it and TAIL_ZEROS bytes after it.  Else, for the first database of the
 * process, when the file's last page has TAIL_ZEROS bytes to spare (they
 * read as zeros), a mapping of the file alone: one mmap(), not two, on the
 * first lookup.  Else a new reservation, a page and a quarter longer than
 * the file, with the file mapped over its start.  The region, or NULL with
 * *err.
 */
static struct region *region_map(int fd, size_t size, int *err)
{
	size_t pg = page_size(), need;
	struct region *r;
	void *p;

	for (r = regions; r != NULL; r = r->next)
		if (r->state == REGION_FREE && r->len >= size + TAIL_ZEROS)
			break;
	if (regions == NULL && round_up(size, pg) - size >= TAIL_ZEROS) {
		p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			*err = errno;
			return NULL;
		}
		if ((r = region_add(p, round_up(size, pg))) == NULL) {
			munmap(p, size);
			*err = ENOMEM;
		}
		return r;
	}
	if (r == NULL) {
		/* Slack, so that a slightly larger update fits the same region. */
		need = round_up(size, pg) + pg;
		need = round_up(need + need / 4, pg);
		p = mmap(NULL, need, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			*err = ENOMEM;
			return NULL;
		}
		if ((r = region_add(p, need)) == NULL) {
			munmap(p, need);
			*err = ENOMEM;
			return NULL;
		}
	}
	if (mmap(r->addr, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
		*err = errno;
		region_clear(r);
		return NULL;
	}
	return r;
}

/* Release d's region for reuse, unless an enumeration still reads it. */
static void retire(struct dbref *d)
{
	struct region *r = d->region;

	if (atomic_load(&pinned) == d) {
		r->state = REGION_DEFERRED;
		return;
	}
	/* If zeroing fails the old file stays mapped: readable, merely kept. */
	if (region_clear(r) == 0) {
		r->state = REGION_FREE;
		r->owner = NULL;
	}
}

/* Regions that waited for an enumeration to end; called with db_lock held. */
static void retire_deferred(void)
{
	struct dbref *p = atomic_load(&pinned);

	for (struct region *r = regions; r != NULL; r = r->next)
		if (r->state == REGION_DEFERRED && r->owner != p && region_clear(r) == 0) {
			r->state = REGION_FREE;
			r->owner = NULL;
		}
}

static int same_file(const struct dbref *d, const struct stat *st)
{
	return d->dev == st->st_dev && d->ino == st->st_ino && d->size == st->st_size &&
	       d->mtime.tv_sec == st->st_mtim.tv_sec && d->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       d->ctime.tv_sec == st->st_ctim.tv_sec && d->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static int same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Does the open file at least start like a database of its size?  Read
 * only when it cannot be mapped, so that memory short for a good file
 * (refresh() then keeps the database in use) is told apart from garbage
 * (which never is kept for).  0, or -1 with errno (EINVAL: it does not).
 */
static int looks_like_db(int fd, const struct stat *st)
{
	unsigned char h[IANA_HEAD_FIXED_SIZE];
	ssize_t n = pread(fd, h, sizeof(h), 0);

	if (n < 0)
		return -1;
	if ((size_t)n != sizeof(h)) {
		errno = EIO;   /* short: not read, so nothing learnt of the file */
		return -1;
	}
	if (!iana_head_fixed_ok(h, (uint64_t)st->st_size)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Can stat() say this file may be a database: regular, of a possible size? */
static int may_be_db(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_size >= IANA_DB_HEADER_SIZE && st->st_size <= DB_SIZE_MAX;
}

/* Why stat() rules out a file that !may_be_db(). */
static int not_db_errno(const struct stat *st)
{
	return S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
}

/* Remember a file that is no database, so that it is not opened again while it is unchanged. */
static void mark_failed(const struct stat *st, int err)
{
	failed_st = *st;
	failed_err = err;
	have_failed_st = 1;
}

/*
 * Open, map and validate the database.  A new descriptor, or NULL with *err.
 * found: what the checker's stat() found, or NULL (the first look).
 */
static struct dbref *map_db(const struct stat *found, int *err)
{
	struct region *r;
	struct dbref *d;
	struct iana_db db;
	struct stat st;
	uint8_t *bits;
	int fd, rc;

	if (found != NULL && !may_be_db(found)) {
		/*
		 * stat() already shows it is none (empty, a FIFO, too large):
		 * not opened at all.  At the file limit open() would say EMFILE
		 * whatever the file, and a FIFO written to changes every second.
		 */
		*err = not_db_errno(found);
		mark_failed(found, *err);
		return NULL;
	}
	/* O_NONBLOCK: a FIFO put in the database's place must not hang us. */
	fd = open(db_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		*err = errno;
		close(fd);
		return NULL;
	}
	if (have_failed_st && same_stat(&st, &failed_st)) {
		*err = failed_err;   /* the same bad file as last time */
		close(fd);
		return NULL;
	}
	if (!may_be_db(&st)) {
		*err = not_db_errno(&st);
		goto bad;
	}
	r = region_map(fd, (size_t)st.st_size, err);
	if (r == NULL)
		goto unmapped;
	close(fd);
	rc = iana_db_open(&db, r->addr, (size_t)st.st_size);
	if (rc != 0) {
		*err = rc;
		region_clear(r);
		mark_failed(&st, rc);
		return NULL;
	}
	d = arena_alloc(sizeof(*d));
	if (d == NULL) {
		*err = ENOMEM;
		region_clear(r);
		return NULL;
	}
	d->db = db;
	/*
	 * Entry checks and postings lists verified once per mapping (a lookup
	 * allocates nothing).  Without room for the bitmaps, verify every time.
	 */
	bits = arena_alloc(iana_db_bitmaps_size(&db));
	if (bits != NULL)
		iana_db_set_bitmaps(&d->db, bits);
	have_failed_st = 0;
	r->state = REGION_IN_USE;
	r->owner = d;
	d->region = r;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->size = st.st_size;
	d->mtime = st.st_mtim;
	d->ctime = st.st_ctim;
	d->next = descriptors;
	descriptors = d;
	return d;
unmapped:
	/* Only a header read and found wrong says the file is bad for good. */
	if (looks_like_db(fd, &st) == 0 || errno != EINVAL) {
		close(fd);
		return NULL;
	}
	*err = EINVAL;
bad:
	mark_failed(&st, *err);
	close(fd);
	return NULL;
}

#ifdef IANA_FUZZING
/*
 * Fuzzing only, where one thread replaces the database for every input and
 * no reader can be late: forget every database, region and descriptor, so
 * that millions of replacements do not accumulate their bookkeeping.
 */
static void iana_forget_all(void)
{
	for (struct region *r = regions; r != NULL; r = r->next)
		munmap(r->addr, r->len);
	regions = NULL;
	while (arena_chunks != NULL) {
		struct arena_chunk *c = arena_chunks;

		arena_chunks = c->next;
		munmap(c, c->len);
	}
	memset(arena_first, 0, sizeof(arena_first));
	arena_next = arena_first;
	arena_left = sizeof(arena_first);
	descriptors = NULL;
	db_path = NULL;      /* it lived in the arena */
	atomic_store(&current, NULL);
	atomic_store(&pinned, NULL);
	memset(&cursor, 0, sizeof(cursor));
	atomic_store(&checked, NEVER);
}
#endif

static void publish(struct dbref *d)
{
	atomic_store(&current, d);
	atomic_fetch_add(&generation, 1);
}

/* An error of this process's or the machine's resources, not of the file. */
static int transient(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM || err == EAGAIN || err == EINTR;
}

/*
 * Map the file again and publish it; called with db_lock held, by the first
 * look, or once look_again()'s stat() found the file changed (no second
 * stat() here: only the checker calls this after the first look).
 * found: what that stat() found, or NULL (the first look, or no file).
 */
static void refresh(const struct stat *found)
{
	struct dbref *cur = atomic_load(&current), *d;
	int err;

	if (db_path == NULL) {
		/* A copy: the program may change its environment later. */
		const char *p = secure_getenv("NSS_IANA_DB");
		size_t n = p != NULL ? strlen(p) : 0;
		char *copy;

		if (n == 0 || n >= PATH_MAX) {
			p = IANA_DEFAULT_DB;
		} else if ((copy = arena_alloc(n + 1)) != NULL) {
			memcpy(copy, p, n + 1);
			p = copy;
		} else {
			atomic_store(&unavail_errno, ENOMEM);
			return;
		}
		db_path = p;
	}
	d = map_db(found, &err);
	/*
	 * A replacement that cannot be opened or mapped for now (the process
	 * at its file limit, memory short) says nothing of the file: keep the
	 * database we have, as long as the condition lasts.  The file still
	 * differs from it, so the checker tries again the next second.  Not
	 * for a file that stat() or its header already shows is none: open()
	 * says EMFILE even for a file that is gone, and a file not mapped for
	 * want of memory has its header read (map_db()).
	 */
	if (d == NULL && cur != NULL && found != NULL && transient(err))
		return;
	if (d == NULL)
		atomic_store(&unavail_errno, err);
	if (d == NULL && cur == NULL)
		return;
	publish(d);
	if (cur != NULL)
		retire(cur);
	retire_deferred();
}

/*
 * The current database, or NULL with *err.  The file is looked at again
 * when the second changes (time() is served by the vDSO: no system call), so
 * a replacement is noticed within a second and lookups in between cost no
 * system call at all.
 *
 * The first look is made under db_lock, and every thread waits for it.
 * Each later one is made by the one thread that claims it (checker), and
 * its stat() of the file takes no lock: fork() waits for db_lock
 * (fork_prepare), and must not wait on a slow or hung file system
 * (tests/robust/fork.c, check).  While it is under way, other threads go on
 * with the current database rather than wait in a stat() of their own, so
 * a hung file system holds one thread, not one more every second.  Only a
 * file that changed, appeared or vanished is opened again, under the lock,
 * by the checker, which stays the checker until then; a file that failed
 * validation is not, until it changes, and one that this stat() shows is
 * no database is not opened at all (tests/robust/replace.c): only the
 * first look, which makes no stat(), opens whatever is there.  What the
 * stat() found decides until the next second's, even if the file is
 * replaced again before refresh() runs.
 */
static void look_again(time_t now)
{
	int saved = errno;   /* stat and open must not leak into errno */
	time_t seen = atomic_load(&checked);
	uintptr_t none = 0;
	struct dbref *cur;
	struct stat st;
	const struct stat *found = NULL;   /* what stat() found, when it did */
	int changed;

	if (seen == NEVER) {
		lock(&db_lock, &db_holder);
		if (atomic_load(&checked) == NEVER) {
			refresh(NULL);
			atomic_store(&checked, now);
		}
		unlock(&db_lock, &db_holder);
		errno = saved;
		return;
	}
	if (atomic_load_explicit(&checker, memory_order_relaxed) != 0 ||
	    !atomic_compare_exchange_strong(&checker, &none, self_id()))
		return;   /* another thread is looking */
	if (atomic_load(&checked) == now) {
		atomic_store(&checker, 0);   /* it has looked this second */
		return;
	}
	atomic_store(&checked, now);
	/* db_path was set before checked was first stored; NULL if that failed. */
	cur = atomic_load(&current);
	if (db_path == NULL) {
		changed = 1;
	} else if (stat(db_path, &st) != 0) {
		/*
		 * Gone: say so under the lock.  Still missing: only why may change.
		 * A stat() that failed for want of memory says nothing of the
		 * file: keep the database, and look again the next second.
		 */
		changed = cur != NULL && !transient(errno);
		if (cur == NULL)
			atomic_store(&unavail_errno, errno);
		have_failed_st = 0;   /* a failed file that comes back is looked at again */
	} else if (cur == NULL && have_failed_st && same_stat(&st, &failed_st)) {
		/*
		 * The file that failed validation, unchanged: not opened again
		 * (under db_lock, which fork() waits for).  failed_st and
		 * failed_err are only written by refresh(), in the first look or
		 * by the checker, which this thread is.
		 */
		changed = 0;
		atomic_store(&unavail_errno, failed_err);
	} else {
		changed = cur == NULL || !same_file(cur, &st);
		found = &st;
	}
	/* Still the checker: if refresh() hangs, no other thread waits behind it. */
	if (changed) {
		lock(&db_lock, &db_holder);
		refresh(found);
		unlock(&db_lock, &db_holder);
	}
	atomic_store(&checker, 0);
	errno = saved;
}

static inline __attribute__((always_inline)) struct dbref *db_current(int *err)
{
	time_t now = time(NULL);
	struct dbref *d;

	if (__builtin_expect(atomic_load_explicit(&checked, memory_order_relaxed) != now, 0))
		look_again(now);
	d = atomic_load_explicit(&current, memory_order_acquire);
	if (d == NULL)
		*err = atomic_load(&unavail_errno);
	return d;
}

enum lookup { BY_NAME, BY_PORT };

static inline __attribute__((always_inline)) enum nss_status lookup(enum lookup how, const char *name, uint16_t port, const char *proto,
			      struct servent *res, char *buf, size_t buflen, int *errnop)
{
	/* Nothing here sets errno: only looking at the file again can, and it restores it. */
	for (int tries = 0; tries < 16; tries++) {
		unsigned gen = atomic_load_explicit(&generation, memory_order_acquire);
		struct iana_hit h;
		enum nss_status st = NSS_STATUS_NOTFOUND;
		int err = 0, found;
		struct dbref *d = db_current(&err);

		if (d == NULL) {
			*errnop = err;
			return NSS_STATUS_UNAVAIL;
		}
		if (how == BY_NAME)
			found = iana_lookup_name(&d->db, name, proto, &h);
		else
			found = iana_lookup_port(&d->db, port, proto, &h);
		if (found)
			st = iana_fill(&d->db, &h, res, buf, buflen, &err);
		/* Did the database change under us?  Then the answer may be torn. */
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&generation, memory_order_relaxed) != gen)
			continue;
		if (st == NSS_STATUS_TRYAGAIN)
			*errnop = err;
		return st;
	}
	*errnop = EAGAIN;
	return NSS_STATUS_UNAVAIL;
}

enum nss_status _nss_iana_getservbyname_r(const char *name, const char *proto,
					  struct servent *res, char *buf, size_t buflen,
					  int *errnop)
{
	if (name == NULL)
		return NSS_STATUS_NOTFOUND;
	return lookup(BY_NAME, name, 0, proto, res, buf, buflen, errnop);
}

enum nss_status _nss_iana_getservbyport_r(int port, const char *proto, struct servent *res,
					  char *buf, size_t buflen, int *errnop)
{
	/* nss_files compares the int as given: nothing above 16 bits matches. */
	if (port < 0 || port > 0xffff)
		return NSS_STATUS_NOTFOUND;
	return lookup(BY_PORT, NULL, ntohs((uint16_t)port), proto, res, buf, buflen, errnop);
}

/*
 * Pin the current database for the cursor; called with ent_lock held.  It
 * does not look at the file: fork() waits for ent_lock, and must not wait
 * on the file system (look_again()).  The caller has called db_current()
 * before it took ent_lock.  NULL with *err when there is no database.
 */
static struct dbref *pin_current(int *err)
{
	struct dbref *d;

	do {
		d = atomic_load(&current);
		atomic_store(&pinned, d);
	} while (d != NULL && atomic_load(&current) != d);
	if (d == NULL)
		*err = atomic_load(&unavail_errno);
	return d;
}

static void unpin(void)
{
	if (atomic_load(&pinned) == NULL)
		return;
	atomic_store(&pinned, NULL);
	lock(&db_lock, &db_holder);
	retire_deferred();
	unlock(&db_lock, &db_holder);
}

enum nss_status _nss_iana_setservent(int stayopen)
{
	enum nss_status st = NSS_STATUS_SUCCESS;
	int saved = errno, err = 0;

	(void)stayopen;   /* the mapping is kept either way */
	(void)db_current(&err);   /* looks at the file if it is time: before ent_lock */
	lock(&ent_lock, &ent_holder);
	unpin();
	memset(&cursor, 0, sizeof(cursor));
	cursor.d = pin_current(&err);
	if (cursor.d == NULL)
		st = NSS_STATUS_UNAVAIL;
	unlock(&ent_lock, &ent_holder);
	errno = cursor.d == NULL ? err : saved;
	return st;
}

enum nss_status _nss_iana_endservent(void)
{
	int saved = errno;

	lock(&ent_lock, &ent_holder);
	unpin();
	memset(&cursor, 0, sizeof(cursor));
	unlock(&ent_lock, &ent_holder);
	errno = saved;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_iana_getservent_r(struct servent *res, char *buf, size_t buflen,
				       int *errnop)
{
	enum nss_status st = NSS_STATUS_NOTFOUND;
	int err = 0;

	lock(&ent_lock, &ent_holder);
	if (cursor.d == NULL) {
		/* No setservent(): look at the file if it is time, without ent_lock. */
		unlock(&ent_lock, &ent_holder);
		(void)db_current(&err);   /* keeps errno */
		lock(&ent_lock, &ent_holder);
	}
	if (cursor.d == NULL) {
		memset(&cursor, 0, sizeof(cursor));
		cursor.d = pin_current(&err);
		if (cursor.d == NULL) {
			unlock(&ent_lock, &ent_holder);
			*errnop = err;
			return NSS_STATUS_UNAVAIL;
		}
	}
	while (cursor.idx < cursor.d->db.n_entries) {
		struct iana_hit h;

		if (!cursor.have) {
			uint16_t lo, hi;

			/* A damaged entry is skipped, as nss_files skips a bad line. */
			if (iana_db_entry_span(&cursor.d->db, cursor.idx, &cursor.word, &lo, &hi) < 0) {
				cursor.idx++;
				continue;
			}
			cursor.next = lo;
			cursor.last = hi;
			cursor.have = 1;
		}
		h.idx = cursor.idx;
		h.word = cursor.word;
		h.port = (uint16_t)cursor.next;
		st = iana_fill(&cursor.d->db, &h, res, buf, buflen, &err);
		/* Advance only on success: after ERANGE the retry gets the same line. */
		if (st == NSS_STATUS_SUCCESS && cursor.next++ == cursor.last) {
			cursor.idx++;
			cursor.have = 0;
		}
		break;
	}
	unlock(&ent_lock, &ent_holder);
	if (st == NSS_STATUS_TRYAGAIN)
		*errnop = err;
	return st;
}
