#include "http/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct store_pool {
	pthread_mutex_t lock;
	char *url;
	struct store **idle;
	size_t n_idle, keep;
};

struct store_pool *store_pool_new(const char *url, size_t keep)
{
	struct store_pool *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->url = xstrdup(url);
	p->keep = keep ? keep : 1;
	p->idle = xcalloc(p->keep, sizeof(*p->idle));
	return p;
}

struct store_pool *store_pool_free(struct store_pool *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_idle; i++)
		store_close(p->idle[i]);
	pthread_mutex_destroy(&p->lock);
	free(p->idle);
	free(p->url);
	free(p);
	return NULL;
}

int store_pool_take(struct store_pool *p, struct store **ret, char **ret_error)
{
	pthread_mutex_lock(&p->lock);
	struct store *s = p->n_idle ? p->idle[--p->n_idle] : NULL;
	pthread_mutex_unlock(&p->lock);
	if (s) {
		*ret = s;
		return 0;
	}
	/* The schema was brought up to date by whoever started the server. */
	return store_open(p->url, ret, ret_error);
}

void store_pool_give(struct store_pool *p, struct store *s)
{
	pthread_mutex_lock(&p->lock);
	if (p->n_idle < p->keep) {
		p->idle[p->n_idle++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	store_close(s);
}
