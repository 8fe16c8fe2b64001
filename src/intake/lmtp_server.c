/*
 * lmtp_server: listeners, one thread per session, one committer thread.
 * See lmtp_server.h for the contract.
 */
#include "intake/lmtp_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "intake/lmtp_proto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define LMTP_SERVER_FEED_MAX 4096	/* bytes fed to the protocol between sends */
#define LMTP_SERVER_REPLY_MAX (256 * 1024)	/* replies to one slice (a 4 KiB slice of LHLOs makes ~64 KiB) */
#define LMTP_SERVER_STOP_GRACE_MS 10000	/* a silent client mid-transaction, once stopping */
#define POLL_TICK_MS 500	/* how often an idle session looks at the stop flag */
#define LMTP_SERVER_ACCEPT_BURST 64	/* clients taken per wake of the acceptor */

struct commit_req {
	struct store_inbound_item item;
	int r;
	/* Posted once the commit has ended, without the server's lock: a
	 * session woken under it would only wait for the lock again. */
	sem_t done;
	struct commit_req *next;
};

struct listener {
	int fd;
	char *unix_path;	/* unlinked at stop */
};

struct lmtp_server {
	struct lmtp_server_params p;
	char *listen;
	char *store_url;
	char *hostname;
	struct listener ls[LMTP_SERVER_LISTEN_MAX];
	size_t n_ls;
	int wake[2];		/* a byte here wakes the acceptor */
	pthread_t acceptor;
	pthread_t committer;
	struct store *store;	/* the committer's */

	pthread_mutex_t lock;
	/* The committer's, and lmtp_server_free's once stopping: the queue
	 * filled (from empty: one wake per batch, not per message), carriers
	 * gone, or a session ended after the stop. */
	pthread_cond_t cond;
	pthread_cond_t idle;	/* a client handed to an idle session thread, or stopping */
	bool is_stopping;
	bool is_committer_done;
	size_t n_sessions;	/* clients being served (or handed over) */
	size_t n_threads;	/* session threads, busy or idle */
	size_t n_idle;		/* session threads waiting for a client */
	int *handoff;		/* accepted clients for idle threads (sessions_max) */
	size_t n_handoff;
	struct commit_req *queue, **queue_tail;
	size_t n_carriers;	/* writers that will take the queue in their next commit */
};

struct session {
	struct lmtp_server *srv;
	int fd;
};

static void event(struct lmtp_server *srv, struct lmtp_server_event ev)
{
	if (srv->p.on_event)
		srv->p.on_event(srv->p.user, &ev);
}

/* ---- listeners ---- */

static int listen_unix(const char *path, struct listener *l, char **ret_error)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		*ret_error = xasprintf("unix:%s: path too long for a socket", path);
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*ret_error = xasprintf("unix:%s: socket: %s", path, strerror(errno));
		return -EIO;
	}
	/* A socket left by a killed instance; serve's lock file makes sure no
	 * live instance owns it. */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		*ret_error = xasprintf("unix:%s: %s", path, strerror(e));
		close(fd);
		return e == EADDRINUSE ? -EADDRINUSE : e == EACCES ? -EACCES : -EIO;
	}
	/* The MTA runs as another user; who may connect is decided by the
	 * directory the socket is in (docs/OPERATING.md). */
	chmod(path, 0666);
	l->fd = fd;
	l->unix_path = xstrdup(path);
	return 0;
}

static int listen_inet(struct str addr, struct listener *l, char **ret_error)
{
	char *a = str_dup(addr);
	char *host = a, *port = strrchr(a, ':');
	int r = -EINVAL;
	if (!port || port == a) {
		*ret_error = xasprintf("lmtp.listen: '%s' is not host:port or unix:/path", a);
		goto out;
	}
	*port++ = '\0';
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host++;
		host[strlen(host) - 1] = '\0';
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	int g = getaddrinfo(host, port, &hints, &ai);
	if (g != 0) {
		*ret_error = xasprintf("lmtp.listen: %s:%s: %s (give a numeric address)", host, port, gai_strerror(g));
		goto out;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		*ret_error = xasprintf("lmtp.listen: %s:%s: %s", host, port, strerror(e));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		r = e == EADDRINUSE ? -EADDRINUSE : e == EACCES ? -EACCES : -EIO;
		goto out;
	}
	freeaddrinfo(ai);
	l->fd = fd;
	r = 0;
out:
	free(a);
	return r;
}

static int listeners_open(struct lmtp_server *srv, char **ret_error)
{
	struct str list = str_from(srv->listen);
	while (list.len) {
		struct str item;
		str_split(&list, ',', &item);
		item = str_trim(item);
		if (!item.len)
			continue;
		if (srv->n_ls == LMTP_SERVER_LISTEN_MAX) {
			*ret_error = xasprintf("lmtp.listen: more than %d addresses", LMTP_SERVER_LISTEN_MAX);
			return -EINVAL;
		}
		struct listener *l = &srv->ls[srv->n_ls];
		int r;
		if (str_take_lit(&item, "unix:")) {
			char *path = str_dup(item);
			r = listen_unix(path, l, ret_error);
			free(path);
		} else {
			r = listen_inet(item, l, ret_error);
		}
		if (r < 0)
			return r;
		srv->n_ls++;
	}
	if (!srv->n_ls) {
		*ret_error = xasprintf("lmtp.listen: no address to listen on");
		return -EINVAL;
	}
	return 0;
}

static void listeners_close(struct lmtp_server *srv)
{
	for (size_t i = 0; i < srv->n_ls; i++) {
		if (srv->ls[i].fd >= 0)
			close(srv->ls[i].fd);
		srv->ls[i].fd = -1;
		if (srv->ls[i].unix_path) {
			unlink(srv->ls[i].unix_path);
			free(srv->ls[i].unix_path);
			srv->ls[i].unix_path = NULL;
		}
	}
}

/* ---- group commit ---- */

/* Messages taken off the commit queue together, by the committer or by
 * another writer of the same store that commits anyway (see the header). */
struct lmtp_server_batch {
	size_t n;
	struct store_inbound_item items[LMTP_SERVER_BATCH_MAX];
	struct commit_req *reqs[LMTP_SERVER_BATCH_MAX];
};

/* Everything queued (up to the maximum), in order; srv->lock held. */
static void queue_take(struct lmtp_server *srv, struct lmtp_server_batch *b)
{
	b->n = 0;
	while (srv->queue && b->n < LMTP_SERVER_BATCH_MAX) {
		struct commit_req *q = srv->queue;
		srv->queue = q->next;
		b->reqs[b->n] = q;
		b->items[b->n++] = q->item;
	}
	if (!srv->queue)
		srv->queue_tail = &srv->queue;
}

/* After the transaction that carried b ended with r. With is_retry, a
 * failure puts the messages back at the head of the queue (nothing of
 * them was stored) for the committer; else each session answers: 250,
 * or 451 when r < 0. */
static void batch_finish(struct lmtp_server *srv, struct lmtp_server_batch *b, int r, bool is_retry,
			 struct store *s)
{
	if (!b->n)
		return;
	if (r < 0 && is_retry) {
		pthread_mutex_lock(&srv->lock);
		struct commit_req *head = srv->queue;
		if (!head)
			srv->queue_tail = &b->reqs[b->n - 1]->next;
		for (size_t i = b->n; i-- > 0;) {
			b->reqs[i]->next = head;
			head = b->reqs[i];
		}
		srv->queue = head;
		pthread_cond_broadcast(&srv->cond);
		pthread_mutex_unlock(&srv->lock);
		return;
	}
	if (r < 0)
		event(srv, (struct lmtp_server_event){ .kind = LMTP_SERVER_COMMIT_FAILED, .error = r, .batch = b->n,
						       .detail = store_errmsg(s) });
	for (size_t i = 0; i < b->n && r >= 0; i++)
		event(srv, (struct lmtp_server_event){ .kind = LMTP_SERVER_ACCEPTED, .queue_id = b->items[i].id,
						       .is_duplicate = b->items[i].is_duplicate, .size = b->items[i].len,
						       .batch = b->n, .env_from = b->items[i].env_from,
						       .env_to = b->items[i].env_to });
	if (r >= 0 && srv->p.on_commit)
		srv->p.on_commit(srv->p.user);
	for (size_t i = 0; i < b->n; i++) {
		b->reqs[i]->item = b->items[i];
		b->reqs[i]->r = r;
		sem_post(&b->reqs[i]->done);	/* the session may free reqs[i] at once */
	}
}

struct lmtp_server_batch *lmtp_server_batch_take(struct lmtp_server *srv)
{
	struct lmtp_server_batch *b = NULL;
	pthread_mutex_lock(&srv->lock);
	if (srv->queue) {
		b = xmalloc(sizeof(*b));
		queue_take(srv, b);
	}
	pthread_mutex_unlock(&srv->lock);
	return b;
}

void lmtp_server_carrier_enter(struct lmtp_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	srv->n_carriers++;
	pthread_mutex_unlock(&srv->lock);
}

void lmtp_server_carrier_leave(struct lmtp_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	srv->n_carriers--;
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
}

int lmtp_server_batch_store(struct lmtp_server_batch *b, struct store *s, int64_t now)
{
	return store_inbound_add_in_tx(s, b->items, b->n, now);
}

void lmtp_server_batch_done(struct lmtp_server *srv, struct lmtp_server_batch *b, int r, struct store *s)
{
	if (!b)
		return;
	batch_finish(srv, b, r, true, s);
	free(b);
}

/*
 * The committer: waits for the write lock (BEGIN) first and takes the
 * queue only then, so everything that arrived meanwhile goes in this
 * commit; a writer that held the lock before it may have carried the
 * queue already (lmtp_server_batch_take), and then there is nothing to do.
 */
static void *committer_main(void *arg)
{
	struct lmtp_server *srv = arg;
	pthread_setname_np(pthread_self(), "lmtp-commit");	/* top -H, perf */
	struct lmtp_server_batch *b = xmalloc(sizeof(*b));
	pthread_mutex_lock(&srv->lock);
	for (;;) {
		while (!srv->queue && !(srv->is_stopping && !srv->n_sessions))
			pthread_cond_wait(&srv->cond, &srv->lock);
		if (!srv->queue)
			break;	/* stopping, no session left that could still commit */
		if (srv->n_carriers && !srv->is_stopping) {
			/* Another writer commits soon and takes the queue: a
			 * commit of our own would cost a fsync and a turn at the
			 * write lock. Not for longer than the bound, though. */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += LMTP_SERVER_CARRIER_WAIT_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			while (srv->queue && srv->n_carriers && !srv->is_stopping)
				if (pthread_cond_timedwait(&srv->cond, &srv->lock, &until) == ETIMEDOUT)
					break;
			if (!srv->queue)
				continue;
		}
		pthread_mutex_unlock(&srv->lock);

		int r = store_begin(srv->store);
		pthread_mutex_lock(&srv->lock);
		queue_take(srv, b);
		pthread_mutex_unlock(&srv->lock);
		if (r >= 0 && !b->n) {
			store_rollback(srv->store);	/* carried by another writer */
			pthread_mutex_lock(&srv->lock);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		if (r >= 0)
			r = store_inbound_add_in_tx(srv->store, b->items, b->n, ts.tv_sec);
		if (r >= 0)
			r = store_commit(srv->store);
		if (r < 0)
			store_rollback(srv->store);
		batch_finish(srv, b, r, false, srv->store);
		pthread_mutex_lock(&srv->lock);
	}
	srv->is_committer_done = true;
	pthread_mutex_unlock(&srv->lock);
	free(b);
	return NULL;
}

/* Hands the session's message to the committer and waits for the commit. */
static int commit(struct lmtp_server *srv, struct lmtp_session *ls, int64_t *ret_id)
{
	const struct buf *m = lmtp_session_message(ls);
	struct commit_req q = { .item = { .raw = m->p ? m->p : "", .len = m->len,
					  .env_from = lmtp_session_env_from(ls), .env_to = lmtp_session_env_to(ls) } };
	pthread_mutex_lock(&srv->lock);
	if (srv->is_committer_done) {
		pthread_mutex_unlock(&srv->lock);
		return -EAGAIN;
	}
	q.next = NULL;
	sem_init(&q.done, 0, 0);
	bool was_empty = !srv->queue;
	*srv->queue_tail = &q;
	srv->queue_tail = &q.next;
	pthread_mutex_unlock(&srv->lock);
	/* The committer checks the queue under the lock before it waits, so
	 * waking it after the lock is let go loses nothing. */
	if (was_empty)
		pthread_cond_broadcast(&srv->cond);
	while (sem_wait(&q.done) < 0 && errno == EINTR)
		;
	sem_destroy(&q.done);
	if (q.r >= 0)
		*ret_id = q.item.id;
	return q.r;
}

/* ---- sessions ---- */

static int send_all(int fd, struct buf *out)
{
	size_t off = 0;
	while (off < out->len) {
		ssize_t w = send(fd, out->p + off, out->len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			buf_reset(out);
			return -EIO;
		}
		off += (size_t)w;
	}
	buf_reset(out);
	return 0;
}

/* Read by every session at every turn of its loop: without the server's
 * lock, which the committer and the sessions' hand-offs also take (it is
 * written under the lock, and read under it everywhere else). */
static bool is_stopping(struct lmtp_server *srv)
{
	return __atomic_load_n(&srv->is_stopping, __ATOMIC_ACQUIRE);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The per-session buffers, kept by a session thread across sessions. */
struct session_bufs {
	char *in;
	struct buf out;
};

/*
 * When the client must have sent something by. Per command (RFC 5321
 * 4.5.3.2.7 suggests 5 minutes for each): the clock starts again when a
 * complete command line has arrived, not at every byte, so a client
 * trickling a byte a minute is dropped all the same. In DATA: the timeout
 * plus the time its bytes need at LMTP_SERVER_DATA_RATE_MIN, counted from
 * the 354, so a big message on a slow link passes and a trickle does not.
 */
struct session_clock {
	uint64_t commands;	/* lmtp_session_commands() when the clock started */
	bool is_data;
	int64_t start_ms;
	int64_t last_byte_ms;	/* for the grace when stopping */
};

static int64_t session_deadline(const struct session_clock *c, const struct lmtp_session *ls, int timeout)
{
	uint64_t bytes = 0;
	int64_t d = c->start_ms + (int64_t)timeout * 1000;
	if (lmtp_session_data_progress(ls, &bytes))
		d += (int64_t)(bytes * 1000 / LMTP_SERVER_DATA_RATE_MIN);
	return d;
}

/* Starts the clock again when a command line completed or DATA began or
 * ended (after a commit too: its wait is ours, not the client's). */
static void session_clock_update(struct session_clock *c, const struct lmtp_session *ls, bool is_restart)
{
	uint64_t bytes = 0;
	bool is_data = lmtp_session_data_progress(ls, &bytes);
	uint64_t commands = lmtp_session_commands(ls);
	if (is_restart || commands != c->commands || is_data != c->is_data) {
		c->commands = commands;
		c->is_data = is_data;
		c->start_ms = now_ms();
	}
}

/* A blocking recv that gives up after ms: one system call per read where
 * poll and then recv made two, for every command of every session. */
static int set_recv_wait(int fd, int64_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));	/* ms > 0: zero would mean forever */
}

static void session_run(struct lmtp_server *srv, int fd, struct session_bufs *sb)
{
	size_t size_max = 25 * 1024 * 1024;
	int timeout = 300;
	if (srv->p.session_settings)
		srv->p.session_settings(srv->p.user, &size_max, &timeout);
	/* A client that stops reading must not hold a thread forever. */
	struct timeval tv = { .tv_sec = timeout };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* Replies are small and each one is awaited (the 250 after a commit
	 * above all): Nagle would hold them for the client's delayed ACK. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));	/* fails harmlessly on unix sockets */

	struct lmtp_proto_config pc = { .hostname = srv->hostname, .size_max = size_max,
					.rcpt_ok = srv->p.rcpt_ok, .user = srv->p.user };
	struct lmtp_session *ls = lmtp_session_new(&pc);
	struct buf *out = &sb->out;
	char *in = sb->in;
	lmtp_session_greet(ls, out);
	struct session_clock clock = { 0 };
	int64_t recv_wait = -1;	/* the socket's receive timeout, ms */
	session_clock_update(&clock, ls, true);
	clock.last_byte_ms = clock.start_ms;
	bool is_open = send_all(fd, out) == 0;
	while (is_open) {
		if (lmtp_session_is_idle(ls) && is_stopping(srv)) {
			lmtp_session_goodbye(ls, false, out);
			send_all(fd, out);
			break;
		}
		/* Stopping waits for a transaction under way, but not for a
		 * client that went quiet in the middle of one. */
		int64_t now = now_ms(), deadline = session_deadline(&clock, ls, timeout);
		if (is_stopping(srv) && clock.last_byte_ms + LMTP_SERVER_STOP_GRACE_MS < deadline)
			deadline = clock.last_byte_ms + LMTP_SERVER_STOP_GRACE_MS;
		if (now >= deadline) {
			lmtp_session_goodbye(ls, true, out);
			send_all(fd, out);
			event(srv, (struct lmtp_server_event){ .kind = LMTP_SERVER_SESSION_TIMEOUT });
			break;
		}
		int64_t wait = deadline - now < POLL_TICK_MS ? deadline - now : POLL_TICK_MS;
		if (wait != recv_wait && set_recv_wait(fd, wait) == 0)
			recv_wait = wait;
		ssize_t n = recv(fd, in, LMTP_SERVER_READ_MAX, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;	/* the wait ran out: look at the clock and the stop flag */
		if (n <= 0)
			break;	/* gone: a message without its final dot is dropped */
		clock.last_byte_ms = now_ms();
		size_t off = 0;
		while (is_open && off < (size_t)n) {
			/* Fed in slices, with the replies sent after each, so the
			 * reply buffer stays small whatever a client pipelines. */
			size_t used = 0, slice = (size_t)n - off;
			if (slice > LMTP_SERVER_FEED_MAX)
				slice = LMTP_SERVER_FEED_MAX;
			enum lmtp_event ev = lmtp_session_feed(ls, in + off, slice, &used, out);
			off += used;
			session_clock_update(&clock, ls, false);
			if (out->len >= LMTP_SERVER_FEED_MAX && ev == LMTP_EVENT_NONE && send_all(fd, out) < 0) {
				is_open = false;
				break;
			}
			if (ev == LMTP_EVENT_MESSAGE) {
				/* Replies to commands before the dot go out now; the
				 * message's own wait for the commit. */
				if (send_all(fd, out) < 0) {
					is_open = false;
					break;
				}
				int64_t id = 0;
				int r = commit(srv, ls, &id);
				lmtp_session_message_done(ls, r, (long long)id, out);
				session_clock_update(&clock, ls, true);
				clock.last_byte_ms = clock.start_ms;
			} else if (ev == LMTP_EVENT_CLOSE) {
				is_open = false;
			}
		}
		/* Everything one read produced goes out in one send: pipelined
		 * replies together. */
		if (send_all(fd, out) < 0)
			break;
	}
	buf_reset(out);
	lmtp_session_free(ls);
}

/*
 * A session thread serves one client, then waits up to
 * LMTP_SERVER_IDLE_THREAD_SECONDS to be handed the next one: an MTA opens
 * a connection per delivery, and a thread (its stack, its buffers) made
 * and torn down for each cost more than the delivery's own work.
 */
static void *session_main(void *arg)
{
	struct session *se = arg;
	struct lmtp_server *srv = se->srv;
	int fd = se->fd;
	free(se);
	pthread_setname_np(pthread_self(), "lmtp-session");
	struct session_bufs sb = { .in = xmalloc(LMTP_SERVER_READ_MAX) };
	buf_init(&sb.out, LMTP_SERVER_REPLY_MAX);
	for (;;) {
		session_run(srv, fd, &sb);
		close(fd);
		pthread_mutex_lock(&srv->lock);
		srv->n_sessions--;
		if (srv->is_stopping)
			pthread_cond_broadcast(&srv->cond);
		srv->n_idle++;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += LMTP_SERVER_IDLE_THREAD_SECONDS;
		while (!srv->n_handoff && !srv->is_stopping)
			if (pthread_cond_timedwait(&srv->idle, &srv->lock, &until) == ETIMEDOUT)
				break;
		srv->n_idle--;
		bool has_next = srv->n_handoff > 0;
		if (has_next)
			fd = srv->handoff[--srv->n_handoff];
		else
			srv->n_threads--;
		if (srv->is_stopping)
			pthread_cond_broadcast(&srv->cond);
		pthread_mutex_unlock(&srv->lock);
		if (!has_next)
			break;
	}
	free(sb.in);
	buf_free(&sb.out);
	return NULL;
}

static void session_start(struct lmtp_server *srv, int fd)
{
	pthread_mutex_lock(&srv->lock);
	bool is_full = srv->n_sessions >= srv->p.sessions_max;
	bool is_handed = false;
	if (!is_full) {
		srv->n_sessions++;
		/* An idle thread not yet given a client takes this one. */
		if (srv->n_idle > srv->n_handoff) {
			srv->handoff[srv->n_handoff++] = fd;
			is_handed = true;
		} else {
			srv->n_threads++;
		}
	}
	pthread_mutex_unlock(&srv->lock);
	/* after the lock: the thread woken would only wait for it again */
	if (is_handed)
		pthread_cond_signal(&srv->idle);
	if (is_full) {
		static const char busy[] = "421 4.3.2 too many sessions, try again later\r\n";
		send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		event(srv, (struct lmtp_server_event){ .kind = LMTP_SERVER_SESSION_REFUSED });
		return;
	}
	if (is_handed)
		return;
	struct session *se = xcalloc(1, sizeof(*se));
	se->srv = srv;
	se->fd = fd;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int e = pthread_create(&t, &attr, session_main, se);
	pthread_attr_destroy(&attr);
	if (e != 0) {
		close(fd);
		free(se);
		pthread_mutex_lock(&srv->lock);
		srv->n_sessions--;
		srv->n_threads--;
		pthread_cond_broadcast(&srv->cond);
		pthread_mutex_unlock(&srv->lock);
		event(srv, (struct lmtp_server_event){ .kind = LMTP_SERVER_SESSION_ERROR, .error = -e });
	}
}

static void *acceptor_main(void *arg)
{
	struct lmtp_server *srv = arg;
	pthread_setname_np(pthread_self(), "lmtp-accept");
	struct pollfd pfd[LMTP_SERVER_LISTEN_MAX + 1];
	for (;;) {
		for (size_t i = 0; i < srv->n_ls; i++)
			pfd[i] = (struct pollfd){ .fd = srv->ls[i].fd, .events = POLLIN };
		pfd[srv->n_ls] = (struct pollfd){ .fd = srv->wake[0], .events = POLLIN };
		int pr = poll(pfd, srv->n_ls + 1, -1);
		if (pr < 0 && errno != EINTR)
			break;
		if (is_stopping(srv))
			break;
		for (size_t i = 0; i < srv->n_ls && pr > 0; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			/* the listener does not block: everything waiting, one poll */
			for (int k = 0; k < LMTP_SERVER_ACCEPT_BURST; k++) {
				int fd = accept4(srv->ls[i].fd, NULL, NULL, SOCK_CLOEXEC);
				if (fd < 0)
					break;
				session_start(srv, fd);
			}
		}
	}
	listeners_close(srv);
	return NULL;
}

/* ---- life cycle ---- */

int lmtp_server_start(const struct lmtp_server_params *p, struct lmtp_server **ret, char **ret_error)
{
	struct lmtp_server *srv = xcalloc(1, sizeof(*srv));
	srv->p = *p;
	srv->listen = xstrdup(p->listen);
	srv->store_url = xstrdup(p->store_url);
	srv->hostname = xstrdup(p->hostname && *p->hostname ? p->hostname : "localhost");
	srv->p.listen = srv->listen;
	srv->p.store_url = srv->store_url;
	srv->p.hostname = srv->hostname;
	srv->wake[0] = srv->wake[1] = -1;
	for (size_t i = 0; i < LMTP_SERVER_LISTEN_MAX; i++)
		srv->ls[i].fd = -1;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->cond, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->handoff = xcalloc(p->sessions_max ? p->sessions_max : 1, sizeof(int));
	srv->queue_tail = &srv->queue;

	int r = store_open(srv->store_url, &srv->store, ret_error);
	if (r < 0)
		goto fail;
	store_set_busy_writer(srv->store);	/* a hint: failing changes nothing */
	r = listeners_open(srv, ret_error);
	if (r < 0)
		goto fail;
	if (pipe2(srv->wake, O_CLOEXEC) < 0) {
		*ret_error = xasprintf("pipe: %s", strerror(errno));
		r = -EIO;
		goto fail;
	}
	int e = pthread_create(&srv->committer, NULL, committer_main, srv);
	if (e != 0) {
		*ret_error = xasprintf("cannot start a thread: %s", strerror(e));
		r = -EAGAIN;
		goto fail;
	}
	e = pthread_create(&srv->acceptor, NULL, acceptor_main, srv);
	if (e != 0) {
		lmtp_server_stop(srv);
		pthread_join(srv->committer, NULL);
		*ret_error = xasprintf("cannot start a thread: %s", strerror(e));
		r = -EAGAIN;
		goto fail;
	}
	*ret = srv;
	return 0;
fail:
	listeners_close(srv);
	if (srv->wake[0] >= 0) {
		close(srv->wake[0]);
		close(srv->wake[1]);
	}
	store_close(srv->store);
	pthread_cond_destroy(&srv->cond);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->lock);
	free(srv->handoff);
	free(srv->listen);
	free(srv->store_url);
	free(srv->hostname);
	free(srv);
	return r;
}

void lmtp_server_stop(struct lmtp_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	bool was = srv->is_stopping;
	__atomic_store_n(&srv->is_stopping, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&srv->cond);
	pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
	if (!was) {
		ssize_t w = write(srv->wake[1], "x", 1);
		(void)w;
	}
}

size_t lmtp_server_sessions(struct lmtp_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	size_t n = srv->n_sessions;
	pthread_mutex_unlock(&srv->lock);
	return n;
}

struct lmtp_server *lmtp_server_free(struct lmtp_server *srv)
{
	if (!srv)
		return NULL;
	lmtp_server_stop(srv);
	pthread_join(srv->acceptor, NULL);
	/* Sessions finish their transaction, then the committer drains. */
	pthread_mutex_lock(&srv->lock);
	while (srv->n_sessions || srv->n_threads)
		pthread_cond_wait(&srv->cond, &srv->lock);
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	pthread_join(srv->committer, NULL);
	close(srv->wake[0]);
	close(srv->wake[1]);
	store_close(srv->store);
	pthread_cond_destroy(&srv->cond);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->lock);
	free(srv->handoff);
	free(srv->listen);
	free(srv->store_url);
	free(srv->hostname);
	free(srv);
	return NULL;
}
