/*
 * lmtp_server: the I/O around lmtp_proto: listeners, sessions, group commit.
 *
 * Listens on every address of a comma-separated list ("127.0.0.1:2424",
 * "[::1]:2424", "unix:/path/to/socket"). One thread per session (threads
 * are kept a while for the next client), at most sessions_max at once (the
 * next client hears 421 4.3.2 and may retry). Timeouts: a command line must
 * be complete within timeout_seconds of the previous one; DATA within
 * timeout_seconds plus the time its bytes take at LMTP_SERVER_DATA_RATE_MIN.
 * A client past either hears 421 4.4.2 and is dropped, however it trickles.
 *
 * Durable accept with group commit: a complete message is handed to one
 * committer thread, which stores everything that queued up meanwhile in one
 * transaction (store_inbound_add_in_tx: one fsync for all of them) and only
 * then lets the sessions answer 250 (another writer may carry them in its
 * own commit: lmtp_server_batch_take below). When the store cannot commit, every
 * recipient of those messages hears 451 4.3.0 and the MTA retries. A client
 * that goes away before its final dot leaves nothing behind.
 *
 * Stopping (lmtp_server_stop): no new connections; sessions between
 * transactions hear 421 4.3.2 and are closed; a transaction under way is
 * finished (committed and answered) first, unless its client stays silent
 * for 10 s (LMTP_SERVER_STOP_GRACE_MS): then it hears 421 and nothing of
 * it is stored. lmtp_server_free() waits for
 * all of that.
 *
 * This is library code: it does not log. It reports what happened through
 * the on_event callback (called from its threads) and leaves the words to
 * the front end.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LMTP_SERVER_LISTEN_MAX 8	/* listening sockets */
#define LMTP_SERVER_BATCH_MAX 512	/* messages in one group commit */
#define LMTP_SERVER_READ_MAX 65536	/* bytes read from a client at once */
#define LMTP_SERVER_DATA_RATE_MIN 1024	/* bytes/s a client sends DATA at, at least, beyond the timeout */
#define LMTP_SERVER_IDLE_THREAD_SECONDS 30	/* a session thread waits this long for the next client */
#define LMTP_SERVER_CARRIER_WAIT_MS 5	/* the committer leaves its queue this long to a writer committing soon */

enum lmtp_server_event_kind {
	LMTP_SERVER_ACCEPTED,		/* a message was committed */
	LMTP_SERVER_COMMIT_FAILED,	/* a group commit failed: 451 sent */
	LMTP_SERVER_SESSION_REFUSED,	/* sessions_max reached: 421 sent */
	LMTP_SERVER_SESSION_TIMEOUT,	/* a command or DATA took too long: dropped */
	LMTP_SERVER_SESSION_ERROR,	/* read/write/thread failure */
};

struct lmtp_server_event {
	enum lmtp_server_event_kind kind;
	int64_t queue_id;		/* ACCEPTED */
	bool is_duplicate;		/* ACCEPTED: same bytes and envelope stored before */
	size_t size;			/* ACCEPTED */
	size_t batch;			/* ACCEPTED: messages in its group commit */
	const char *env_from;		/* ACCEPTED: raw, from the client: escape before showing */
	const char *env_to;
	int error;			/* -errno for the failures */
	const char *detail;		/* the store's words, or NULL */
};

struct lmtp_server_params {
	const char *listen;
	const char *store_url;		/* the committer opens its own connection */
	const char *hostname;
	size_t sessions_max;
	/* Per-session settings, asked at each session's start so a reload
	 * applies to new sessions. */
	void (*session_settings)(void *user, size_t *ret_size_max, int *ret_timeout_seconds);
	/* Whether we accept mail for this address (called from sessions). */
	bool (*rcpt_ok)(void *user, const char *addr);
	/* After each group commit that stored something: wake the workers. */
	void (*on_commit)(void *user);
	void (*on_event)(void *user, const struct lmtp_server_event *ev);
	void *user;
};

struct lmtp_server;

/* Binds every listener and starts the threads. -EINVAL for a malformed
 * listen list, -EADDRINUSE/-EACCES/-EIO when binding fails, a store error
 * when the committer cannot open the store; ret_error says which. */
int lmtp_server_start(const struct lmtp_server_params *p, struct lmtp_server **ret, char **ret_error);
/* Starts stopping (see above); returns at once. Safe from any thread. */
void lmtp_server_stop(struct lmtp_server *srv);
/* Stops, waits for sessions and the committer, frees. Accepts NULL. */
struct lmtp_server *lmtp_server_free(struct lmtp_server *srv);
/* Sessions running now. */
size_t lmtp_server_sessions(struct lmtp_server *srv);

/*
 * Sharing a commit. Another writer of the same store that is about to
 * commit anyway (serve's workers) can carry the messages waiting for the
 * committer, so intake and processing share a fsync and a turn at the
 * write lock: inside its transaction it takes them (NULL when none wait),
 * stores them, and after the transaction ended reports the outcome. On
 * success the sessions answer 250; on failure the messages go back to the
 * head of the queue for the committer (nothing of them was stored), so a
 * failure of the other writer's own work never costs a 451. Sessions wait
 * until then, so the taker must get to lmtp_server_batch_done() promptly,
 * and before lmtp_server_free().
 */
struct lmtp_server_batch;
struct store;
/* A writer about to commit (with lmtp_server_batch_take) says so: the
 * committer then leaves the queue to it, for LMTP_SERVER_CARRIER_WAIT_MS
 * at most, so under load intake rides on those commits rather than adding
 * its own. Every enter is followed by a leave. */
void lmtp_server_carrier_enter(struct lmtp_server *srv);
void lmtp_server_carrier_leave(struct lmtp_server *srv);
struct lmtp_server_batch *lmtp_server_batch_take(struct lmtp_server *srv);
int lmtp_server_batch_store(struct lmtp_server_batch *b, struct store *s, int64_t now);
/* Frees b (accepts NULL); s is the taker's store, for its error message. */
void lmtp_server_batch_done(struct lmtp_server *srv, struct lmtp_server_batch *b, int r, struct store *s);
