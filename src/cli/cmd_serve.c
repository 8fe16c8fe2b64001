/*
 * serve: the desk as a service.
 *
 * Starts the front ends (the LMTP server, and the web desk's HTTP server
 * on http.listen unless that is empty), a pool of workers running the same pipeline as
 * `abusedesk process`, and the outbox senders running the same flush as
 * `abusedesk outbox flush`. Front ends never call each other; serve only
 * starts and stops them and wakes the workers when intake has committed.
 *
 * Life cycle:
 * - One instance per SQLite database: serve holds an fcntl write lock on
 *   "<db>.lock" (the file says which pid holds it); a second instance
 *   refuses to start. The kernel drops the lock when the holder dies, so a
 *   crash never needs cleaning up.
 * - SIGTERM/SIGINT: stop accepting; sessions finish the transaction under
 *   way; workers finish their message, senders their send; exit 0.
 * - SIGHUP: reload the config file and templates. Workers and senders take
 *   the new ones for their next message; new LMTP sessions take the new
 *   size limit, timeout and addresses. Listen addresses, the database,
 *   the thread counts and the web desk's settings and templates need a
 *   restart (said in the log).
 */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evidence/logfmt/user.h"
#include "http/http.h"
#include "intake/lmtp_server.h"
#include "mail/mail.h"
#include "outbox/flush.h"
#include "outbox/smtp.h"
#include "pipeline/pipeline.h"
#include "util/escape.h"
#include "util/log.h"
#include "util/xalloc.h"

#define SERVE_WORKERS_MAX 64
#define SERVE_SENDERS_MAX 100
#define SERVE_IDLE_POLL_SECONDS 1	/* workers look for leases run out */
#define SERVE_OUTBOX_POLL_SECONDS 2	/* senders look for retries come due */
#define SERVE_SEND_BATCH 8		/* sends between looks at the stop flag */
#define SERVE_MALLOC_TRIM_THRESHOLD (64 << 20)	/* see run() */
#define SERVE_MALLOC_MMAP_THRESHOLD (4 << 20)

/* A loaded configuration; threads hold a reference while they use it, so
 * a reload never frees one under them. */
struct generation {
	int refs;
	struct config cfg;
	struct templates tpl;
	struct logfmt_user *user_formats;	/* evidence.log_formats_file; may be NULL */
};

struct serve {
	struct cli *cli;
	pthread_mutex_t lock;
	pthread_cond_t work;	/* intake committed: workers wake */
	pthread_cond_t mail;	/* acknowledgments queued: senders wake */
	bool is_stopping;
	uint64_t work_seq, mail_seq;
	struct generation *gen;
	struct lmtp_server *lmtp;
	/* Workers carry the messages waiting for intake's commit in their
	 * own (lmtp_server_batch_take) while intake is open; lmtp_wait closes
	 * it and waits for the carriers before the server is freed. */
	bool is_intake_open;
	size_t intake_carriers;
	pthread_cond_t intake_idle;
	struct http_server *http;
	struct generation *http_gen;	/* the configuration the web desk runs on */
	pthread_t workers[SERVE_WORKERS_MAX];
	size_t n_workers;
	pthread_t senders[SERVE_SENDERS_MAX];
	size_t n_senders;
};

static struct generation *gen_get(struct serve *sv)
{
	pthread_mutex_lock(&sv->lock);
	struct generation *g = sv->gen;
	g->refs++;
	pthread_mutex_unlock(&sv->lock);
	return g;
}

static void gen_put(struct serve *sv, struct generation *g)
{
	pthread_mutex_lock(&sv->lock);
	bool is_last = --g->refs == 0;
	pthread_mutex_unlock(&sv->lock);
	if (is_last) {
		config_free(&g->cfg);
		templates_free(&g->tpl);
		logfmt_user_free(g->user_formats);
		free(g);
	}
}

static int gen_load(struct serve *sv, struct generation **ret, char **ret_error)
{
	struct generation *g = xcalloc(1, sizeof(*g));
	int r = cli_config_load(sv->cli, &g->cfg, ret_error);
	if (r < 0) {
		free(g);
		return r;
	}
	r = templates_load(g->cfg.templates, &g->tpl, ret_error);
	if (r < 0) {
		config_free(&g->cfg);
		free(g);
		return r;
	}
	if (*g->cfg.evidence_log_formats_file) {
		char *why = NULL;
		r = logfmt_user_load(g->cfg.evidence_log_formats_file, &g->user_formats, &why);
		if (r < 0) {
			*ret_error = xasprintf("evidence.log_formats_file: %s", why ? why : "?");
			free(why);
			templates_free(&g->tpl);
			config_free(&g->cfg);
			free(g);
			return r;
		}
	}
	g->refs = 1;
	*ret = g;
	return 0;
}

static bool stopping(struct serve *sv)
{
	pthread_mutex_lock(&sv->lock);
	bool s = sv->is_stopping;
	pthread_mutex_unlock(&sv->lock);
	return s;
}

/* Waits until *seq moves past seen, the stop flag, or the timeout. */
static void wait_for(struct serve *sv, pthread_cond_t *cond, const uint64_t *seq, uint64_t seen, int seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&sv->lock);
	while (*seq == seen && !sv->is_stopping)
		if (pthread_cond_timedwait(cond, &sv->lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&sv->lock);
}

static void bump(struct serve *sv, pthread_cond_t *cond, uint64_t *seq)
{
	pthread_mutex_lock(&sv->lock);
	(*seq)++;
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(&sv->lock);
}

/* Each thread has its own store connection (store.h: one per thread). */
static struct store *open_thread_store(struct serve *sv, const char *who, const char *what)
{
	struct store *s = NULL;
	char *err = NULL;
	struct generation *g = gen_get(sv);
	int r = store_open(g->cfg.db, &s, &err);
	gen_put(sv, g);
	if (r >= 0)
		store_set_busy_writer(s);	/* a hint: failing changes nothing */
	if (r < 0) {
		log_err("%s: cannot open the store: %s; this %s stops", who, err ? err : "?", what);
		free(err);
		return NULL;
	}
	return s;
}

/* ---- workers: queued messages -> tickets ---- */

/* A worker's share of intake: the messages it carries in its commit. */
struct carrier {
	struct serve *sv;
	struct lmtp_server_batch *batch;
	bool is_carrying;
};

/* While intake is open, counts one more worker that may take its queue
 * (lmtp_wait waits for the count to fall to zero before freeing it). */
static bool carriers_enter(struct serve *sv)
{
	pthread_mutex_lock(&sv->lock);
	bool is_open = sv->is_intake_open;
	if (is_open)
		sv->intake_carriers++;
	pthread_mutex_unlock(&sv->lock);
	return is_open;
}

static void carriers_leave(struct serve *sv)
{
	pthread_mutex_lock(&sv->lock);
	if (--sv->intake_carriers == 0)
		pthread_cond_broadcast(&sv->intake_idle);
	pthread_mutex_unlock(&sv->lock);
}

/* While intake is open, holds it open and tells its committer that this
 * worker commits soon: it holds a claimed batch. */
static bool intake_join(struct serve *sv)
{
	bool is_open = carriers_enter(sv);
	if (is_open)
		lmtp_server_carrier_enter(sv->lmtp);
	return is_open;
}

static void intake_leave(struct serve *sv)
{
	lmtp_server_carrier_leave(sv->lmtp);
	carriers_leave(sv);
}

/* pipeline.before_commit: the LMTP messages waiting for a commit go in
 * this one, so intake and processing share a fsync. */
static int carry_intake(void *arg, struct store *s, int64_t now)
{
	struct carrier *c = arg;
	struct serve *sv = c->sv;
	c->is_carrying = carriers_enter(sv);
	if (!c->is_carrying)
		return 0;
	c->batch = lmtp_server_batch_take(sv->lmtp);
	return c->batch ? lmtp_server_batch_store(c->batch, s, now) : 0;
}

/* pipeline.after_commit: the sessions answer 250, or the messages go back
 * to intake's committer when the worker's transaction failed. */
static void carried_intake(void *arg, struct store *s, int r)
{
	struct carrier *c = arg;
	struct serve *sv = c->sv;
	if (!c->is_carrying)
		return;
	lmtp_server_batch_done(sv->lmtp, c->batch, r, s);
	c->batch = NULL;
	c->is_carrying = false;
	carriers_leave(sv);
}

static void *worker_main(void *arg)
{
	struct serve *sv = arg;
	pthread_setname_np(pthread_self(), "worker");	/* top -H, perf */
	struct store *s = open_thread_store(sv, "worker", "worker");
	if (!s)
		return NULL;
	/* One pipeline per worker, so what it loads for itself (the routing
	 * index) lasts; the configuration comes from the generation of the
	 * moment. Messages are claimed and stored in batches: whatever queued
	 * up while the last batch ran, one commit (one fsync) for all. */
	struct carrier carrier = { .sv = sv };
	struct pipeline p = { .store = s, .before_commit = carry_intake, .after_commit = carried_intake,
			      .commit_arg = &carrier };
	struct pipeline_result *res = xcalloc(PIPELINE_BATCH_MAX, sizeof(*res));
	/* Each batch's commit claims the next one (pipeline.h); once stopping,
	 * the batch claimed last is processed and nothing more is claimed. */
	for (;;) {
		bool is_stopping = stopping(sv);
		if (is_stopping && !p.n_ahead)
			break;
		p.is_claim_ahead = !is_stopping;
		pthread_mutex_lock(&sv->lock);
		uint64_t seen = sv->work_seq;
		pthread_mutex_unlock(&sv->lock);
		struct generation *g = gen_get(sv);
		p.cfg = &g->cfg;
		p.templates = &g->tpl;
		p.user_formats = g->user_formats;
		size_t n = 0;
		/* holding a batch claimed ahead, this worker commits soon */
		bool is_carrier = p.n_ahead && intake_join(sv);
		int r = pipeline_process_batch(&p, cli_now(), PIPELINE_BATCH_MAX, res, &n);
		if (is_carrier)
			intake_leave(sv);
		p.cfg = NULL;
		p.templates = NULL;
		p.user_formats = NULL;
		gen_put(sv, g);
		if (r == -ENOENT) {
			wait_for(sv, &sv->work, &sv->work_seq, seen, SERVE_IDLE_POLL_SECONDS);
			continue;
		}
		if (r < 0) {
			log_warn("worker: cannot claim the next message: %s; will retry in %d s", store_errmsg(s),
				 SERVE_IDLE_POLL_SECONDS);
			wait_for(sv, &sv->work, &sv->work_seq, seen, SERVE_IDLE_POLL_SECONDS);
			continue;
		}
		bool is_mail = false;
		for (size_t i = 0; i < n; i++) {
			if (res[i].status < 0)
				log_warn("process: message %lld failed (%s); it stays queued and will be retried",
					 (long long)res[i].message, res[i].error ? res[i].error : "?");
			else
				cli_log_processed(&res[i]);
			is_mail |= res[i].status >= 0 && res[i].ack_queued;
			pipeline_result_clear(&res[i]);
		}
		if (is_mail)
			bump(sv, &sv->mail, &sv->mail_seq);
	}
	free(res);
	pipeline_release(&p);
	store_close(s);
	return NULL;
}

/* ---- outbox senders: queued mail -> the relay ---- */

static void *sender_main(void *arg)
{
	struct serve *sv = arg;
	pthread_setname_np(pthread_self(), "outbox-sender");
	struct store *s = open_thread_store(sv, "outbox", "sender");
	if (!s)
		return NULL;
	while (!stopping(sv)) {
		pthread_mutex_lock(&sv->lock);
		uint64_t seen = sv->mail_seq;
		pthread_mutex_unlock(&sv->lock);
		struct flush_stats st = { 0 };
		struct generation *g = gen_get(sv);
		int r = flush_run_some(s, &g->cfg, cli_now(), SERVE_SEND_BATCH, cli_outbox_report, NULL, &st);
		gen_put(sv, g);
		if (r < 0)
			log_warn("outbox: cannot read the outbox: %s; will retry in %d s", store_errmsg(s),
				 SERVE_OUTBOX_POLL_SECONDS);
		size_t n = st.sent + st.deferred + st.failed;
		if (r < 0 || n < SERVE_SEND_BATCH)
			wait_for(sv, &sv->mail, &sv->mail_seq, seen, SERVE_OUTBOX_POLL_SECONDS);
	}
	store_close(s);
	return NULL;
}

/* ---- the LMTP front end ---- */

static void lmtp_settings(void *user, size_t *ret_size_max, int *ret_timeout)
{
	struct serve *sv = user;
	struct generation *g = gen_get(sv);
	*ret_size_max = (size_t)g->cfg.message_size_max;
	*ret_timeout = (int)g->cfg.lmtp_timeout_seconds;
	gen_put(sv, g);
}

static bool lmtp_rcpt_ok(void *user, const char *addr)
{
	struct serve *sv = user;
	struct generation *g = gen_get(sv);
	bool ok = g->cfg.lmtp_accept_any_recipient || config_is_own_address(&g->cfg, addr);
	gen_put(sv, g);
	return ok;
}

static void lmtp_committed(void *user)
{
	struct serve *sv = user;
	bump(sv, &sv->work, &sv->work_seq);
}

static void lmtp_event(void *user, const struct lmtp_server_event *ev)
{
	(void)user;
	switch (ev->kind) {
	case LMTP_SERVER_ACCEPTED: {
		char *from = escape_dup(str_from(ev->env_from), ESCAPE_QUOTE_MAX);
		char *to = escape_dup(str_from(ev->env_to), ESCAPE_QUOTE_MAX);
		log_info("lmtp: queued message %lld: %zu bytes from %s to %s%s (commit of %zu)", (long long)ev->queue_id,
			 ev->size, from, to, ev->is_duplicate ? " (a repeat of one already stored; kept once)" : "",
			 ev->batch);
		free(from);
		free(to);
		break;
	}
	case LMTP_SERVER_COMMIT_FAILED:
		log_err("lmtp: cannot store %zu message(s): %s; answered 451, the MTA will retry", ev->batch,
			ev->detail ? ev->detail : strerror(-ev->error));
		break;
	case LMTP_SERVER_SESSION_REFUSED:
		log_warn("lmtp: lmtp.sessions_max sessions busy; a client was told 421 and will retry");
		break;
	case LMTP_SERVER_SESSION_TIMEOUT:
		log_info("lmtp: a client took longer than lmtp.timeout_seconds for a command (or its DATA) and was dropped");
		break;
	case LMTP_SERVER_SESSION_ERROR:
		log_err("lmtp: cannot start a session: %s; the client was dropped and will retry", strerror(-ev->error));
		break;
	}
}

static int lmtp_start(struct serve *sv, char **ret_error)
{
	struct generation *g = gen_get(sv);
	struct lmtp_server_params p = {
		.listen = g->cfg.lmtp_listen,
		.store_url = g->cfg.db,
		.hostname = g->cfg.hostname,
		.sessions_max = (size_t)g->cfg.lmtp_sessions_max,
		.session_settings = lmtp_settings,
		.rcpt_ok = lmtp_rcpt_ok,
		.on_commit = lmtp_committed,
		.on_event = lmtp_event,
		.user = sv,
	};
	int r = lmtp_server_start(&p, &sv->lmtp, ret_error);
	if (r >= 0) {
		log_info("lmtp: listening on %s", g->cfg.lmtp_listen);
		pthread_mutex_lock(&sv->lock);
		sv->is_intake_open = true;
		pthread_mutex_unlock(&sv->lock);
	}
	gen_put(sv, g);
	return r;
}

static void lmtp_stop(struct serve *sv)
{
	if (sv->lmtp)
		lmtp_server_stop(sv->lmtp);
}

static void lmtp_wait(struct serve *sv)
{
	/* Its committer stores what is still waiting: no worker takes more. */
	pthread_mutex_lock(&sv->lock);
	sv->is_intake_open = false;
	while (sv->intake_carriers)
		pthread_cond_wait(&sv->intake_idle, &sv->lock);
	pthread_mutex_unlock(&sv->lock);
	sv->lmtp = lmtp_server_free(sv->lmtp);
}

/* ---- the HTTP front end: the web desk (src/http/) ---- */

/* The web desk's request threads read their configuration and templates
 * for as long as it runs, so it holds a reference to the generation it
 * started with; a SIGHUP reload reaches it on restart. */
static int http_start(struct serve *sv, char **ret_error)
{
	struct generation *g = gen_get(sv);
	if (!*g->cfg.http_listen) {
		log_info("http: no web desk (http.listen is empty)");
		gen_put(sv, g);
		return 0;
	}
	int r = http_server_start(&g->cfg, &sv->http, ret_error);
	if (r < 0) {
		gen_put(sv, g);
		return r;
	}
	sv->http_gen = g;
	char *url = http_server_url(sv->http);
	log_info("http: the web desk is listening on %s", url);
	free(url);
	return 0;
}

static void http_stop(struct serve *sv)
{
	/* libmicrohttpd stops accepting and finishes the requests in flight in
	 * one call, http_server_stop(), which http_wait makes. */
	(void)sv;
}

static void http_wait(struct serve *sv)
{
	sv->http = http_server_stop(sv->http);
	if (sv->http_gen)
		gen_put(sv, sv->http_gen);
	sv->http_gen = NULL;
}

/*
 * The front ends serve starts, in order, and stops in reverse. Each is
 * started with the serve state and finds its settings in the current
 * generation.
 */
struct frontend {
	const char *name;
	int (*start)(struct serve *sv, char **ret_error);
	void (*stop)(struct serve *sv);		/* begin stopping; returns at once */
	void (*wait)(struct serve *sv);		/* until in-flight work is done */
};

static const struct frontend frontends[] = {
	{ "lmtp", lmtp_start, lmtp_stop, lmtp_wait },
	{ "http", http_start, http_stop, http_wait },
};
#define N_FRONTENDS (sizeof(frontends) / sizeof(frontends[0]))

/* ---- one instance per database ---- */

static int lock_database(const char *db, int *ret_fd)
{
	if (store_url_is_pg(db)) {
		*ret_fd = -1;	/* PostgreSQL: several nodes may share it */
		return 0;
	}
	if (!strncmp(db, "sqlite:", 7))
		db += 7;
	char *path = xasprintf("%s.lock", db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int r = cli_fail(-EIO, "serve: cannot open the lock file %s: %s", path, strerror(errno));
		free(path);
		return r;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_err("serve: another abusedesk serve (pid %s) is already serving %s (lock %s); stop it first",
			*pid ? pid : "?", db, path);
		free(path);
		close(fd);
		return EX_TEMPFAIL;
	}
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		/* The lock holds without the pid; it only helps the message above. */
	}
	free(path);
	*ret_fd = fd;
	return 0;
}

/* ---- life cycle ---- */

/*
 * pipeline.workers, or by default what suits the store. SQLite lets one
 * writer in at a time and each worker's batch already takes everything
 * queued: a second worker only splits the batches, and every commit of one
 * empties the other's page cache (bench/lmtp: 10 % more CPU per message,
 * no more throughput). PostgreSQL's workers wait on the network and on
 * row locks, not on one another.
 */
static size_t serve_workers(const struct config *cfg)
{
	if (cfg->process_workers > 0)
		return (size_t)cfg->process_workers;
	return store_url_is_pg(cfg->db) ? 2 : 1;
}

static void reload(struct serve *sv)
{
	struct generation *g = NULL;
	char *err = NULL;
	if (gen_load(sv, &g, &err) < 0) {
		log_err("serve: SIGHUP: %s; keeping the running configuration", err ? err : "?");
		free(err);
		return;
	}
	pthread_mutex_lock(&sv->lock);
	struct generation *old = sv->gen;
	bool is_restart_needed = strcmp(old->cfg.lmtp_listen, g->cfg.lmtp_listen) ||
				 strcmp(old->cfg.http_listen, g->cfg.http_listen) ||
				 strcmp(old->cfg.db, g->cfg.db) ||
				 old->cfg.process_workers != g->cfg.process_workers ||
				 old->cfg.connections_max != g->cfg.connections_max;
	bool is_syslog_new = g->cfg.log_syslog && !old->cfg.log_syslog;
	sv->gen = g;
	pthread_mutex_unlock(&sv->lock);
	gen_put(sv, old);
	enum log_level level;
	if (log_level_from_string(g->cfg.log_level, &level) == 0)
		log_set_level(level);
	if (is_syslog_new)
		log_open_syslog("abusedesk");	/* turning it off needs a restart */
	log_info("serve: configuration and templates reloaded%s%s",
		 is_restart_needed ? "; listen addresses, the database and thread counts change only on restart" : "",
		 sv->http ? "; the web desk keeps its settings and templates until restart" : "");
	bump(sv, &sv->work, &sv->work_seq);
	bump(sv, &sv->mail, &sv->mail_seq);
}

static int run(struct cli *c)
{
	if (c->argc > 1)
		return cli_fail(-EINVAL, "serve: usage: %s", cmd_serve.usage);
	struct serve sv = { .cli = c };
	/* SQLite allocates and frees a 64 KiB statement journal around each
	 * statement of a write transaction; with glibc's default trim
	 * threshold each free gave the thread's heap back to the kernel
	 * (madvise) and the next statement faulted it in again: a fifth of a
	 * worker's CPU (bench/lmtp). Freed memory up to the threshold stays
	 * with the process; blocks past the mmap threshold (big messages)
	 * are still returned at once. */
	mallopt(M_TRIM_THRESHOLD, SERVE_MALLOC_TRIM_THRESHOLD);
	mallopt(M_MMAP_THRESHOLD, SERVE_MALLOC_MMAP_THRESHOLD);
	pthread_mutex_init(&sv.lock, NULL);
	pthread_cond_init(&sv.work, NULL);
	pthread_cond_init(&sv.mail, NULL);
	pthread_cond_init(&sv.intake_idle, NULL);
	int lock_fd = -1;
	int code = EX_OK;
	char *err = NULL;

	int r = gen_load(&sv, &sv.gen, &err);
	if (r < 0) {
		code = cli_fail(r, "serve: %s", err ? err : "?");
		free(err);
		goto out;
	}
	code = lock_database(sv.gen->cfg.db, &lock_fd);
	if (code != 0)
		goto out;
	/* Schema up to date before any thread opens its own connection. */
	struct store *s;
	r = cli_open_store(c, &s);
	if (r < 0) {
		code = cli_exit_code(r);
		goto out;
	}
	store_close(s);
	mail_init();
	smtp_global_init();

	/* Signals are taken by this thread alone, with sigwait below. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	size_t started = 0;
	for (; started < N_FRONTENDS; started++) {
		r = frontends[started].start(&sv, &err);
		if (r < 0) {
			code = cli_fail(r, "serve: %s: %s", frontends[started].name, err ? err : "?");
			free(err);
			break;
		}
	}
	if (started == N_FRONTENDS) {
		size_t nw = serve_workers(&sv.gen->cfg), ns = (size_t)sv.gen->cfg.connections_max;
		for (; sv.n_workers < nw && sv.n_workers < SERVE_WORKERS_MAX; sv.n_workers++)
			if (pthread_create(&sv.workers[sv.n_workers], NULL, worker_main, &sv) != 0)
				break;
		for (; sv.n_senders < ns && sv.n_senders < SERVE_SENDERS_MAX; sv.n_senders++)
			if (pthread_create(&sv.senders[sv.n_senders], NULL, sender_main, &sv) != 0)
				break;
		log_info("serve: ready (pid %ld): %zu worker(s), %zu outbox sender(s), store %s", (long)getpid(),
			 sv.n_workers, sv.n_senders, sv.gen->cfg.db);
		for (;;) {
			int sig = sigwaitinfo(&set, NULL);
			if (sig == SIGHUP) {
				reload(&sv);
				continue;
			}
			if (sig == SIGTERM || sig == SIGINT) {
				log_info("serve: %s: no new sessions; finishing what is under way",
					 sig == SIGTERM ? "SIGTERM" : "SIGINT");
				break;
			}
		}
	}
	/* Intake first, so everything accepted is committed; then the
	 * workers and senders finish what they hold. */
	for (size_t i = started; i-- > 0;)
		frontends[i].stop(&sv);
	for (size_t i = started; i-- > 0;)
		frontends[i].wait(&sv);
	pthread_mutex_lock(&sv.lock);
	sv.is_stopping = true;
	pthread_cond_broadcast(&sv.work);
	pthread_cond_broadcast(&sv.mail);
	pthread_mutex_unlock(&sv.lock);
	for (size_t i = 0; i < sv.n_workers; i++)
		pthread_join(sv.workers[i], NULL);
	for (size_t i = 0; i < sv.n_senders; i++)
		pthread_join(sv.senders[i], NULL);
	if (code == EX_OK)
		log_info("serve: stopped");
out:
	if (sv.gen)
		gen_put(&sv, sv.gen);
	if (lock_fd >= 0)
		close(lock_fd);
	pthread_cond_destroy(&sv.work);
	pthread_cond_destroy(&sv.mail);
	pthread_cond_destroy(&sv.intake_idle);
	pthread_mutex_destroy(&sv.lock);
	return code;
}

const struct cli_command cmd_serve = {
	"serve", run,
	"Run the desk: LMTP intake, workers making tickets, the outbox sender, the web desk on http.listen "
	"(SIGTERM stops, SIGHUP reloads).",
	"serve",
};
