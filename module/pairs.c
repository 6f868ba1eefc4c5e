// SPDX-License-Identifier: GPL-2.0
/*
 * pairs.c - lock-free begin/end matching per task (see pairs.h).
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/slab.h>

#include <reclaimscope/pairs.h>

int rs_pairs_init(struct rs_pairs *p, unsigned int bits)
{
	if (bits < 4 || bits > 16)
		return -EINVAL;
	p->slots = kcalloc(1U << bits, sizeof(*p->slots), GFP_KERNEL);
	if (!p->slots)
		return -ENOMEM;
	p->bits = bits;
	atomic_set(&p->held, 0);
	return 0;
}

void rs_pairs_free(struct rs_pairs *p)
{
	kfree(p->slots);
	p->slots = NULL;
}

static struct rs_pair_slot *rs_pair_slot(struct rs_pairs *p, const void *key,
					 unsigned int i)
{
	unsigned int mask = (1U << p->bits) - 1;

	return &p->slots[(hash_ptr((void *)key, p->bits) + i) & mask];
}

/**
 * rs_pairs_begin() - remember @ts and @nid for @key until rs_pairs_end()
 *
 * A second begin of the same key replaces the first: a begin whose end
 * was never seen (it fired before the end hook was attached, or its end
 * was lost) must not time a later pair from the old start.
 *
 * Return: false when no free slot was found (the begin is not tracked).
 */
bool rs_pairs_begin(struct rs_pairs *p, const void *key, u64 ts, int nid)
{
	struct rs_pair_slot *s;
	unsigned int i;

	/* Only this task stores @key, so a slot it holds stays its own. */
	for (i = 0; i < RS_PAIR_PROBES; i++) {
		s = rs_pair_slot(p, key, i);
		if (READ_ONCE(s->key) == key)
			goto found;
	}
	for (i = 0; i < RS_PAIR_PROBES; i++) {
		s = rs_pair_slot(p, key, i);
		if (!READ_ONCE(s->key) && !cmpxchg(&s->key, NULL, key)) {
			if (p->counted)
				atomic_inc(&p->held);
			goto found;
		}
	}
	return false;

found:
	/*
	 * Only this task reads the slot back, in rs_pairs_end(), after
	 * anything that moved it to another CPU: plain stores are enough.
	 */
	s->ts = ts;
	s->nid = nid;
	return true;
}

/**
 * rs_pairs_holds() - whether @key has a slot: it is between a tracked
 * begin and its end.  Only meaningful for the key's own task.
 *
 * In a counted table, a held count of 0 means the key has no slot: the
 * key's task increments the count in rs_pairs_begin() before it can ask
 * here, and decrements it only when it gives its slot back.  Every
 * other task's decrement follows its own increment in the count's order
 * of modification, so while the key's slot is held, the count this task
 * reads includes its own increment and is at least 1.
 */
bool rs_pairs_holds(struct rs_pairs *p, const void *key)
{
	unsigned int i;

	if (p->counted && !atomic_read(&p->held))
		return false;
	for (i = 0; i < RS_PAIR_PROBES; i++)
		if (READ_ONCE(rs_pair_slot(p, key, i)->key) == key)
			return true;
	return false;
}

/**
 * rs_pairs_end() - take back what rs_pairs_begin() stored for @key
 * Return: false when @key has no slot (its begin was not tracked).
 */
bool rs_pairs_end(struct rs_pairs *p, const void *key, u64 *ts, int *nid)
{
	unsigned int i;

	for (i = 0; i < RS_PAIR_PROBES; i++) {
		struct rs_pair_slot *s = rs_pair_slot(p, key, i);

		if (READ_ONCE(s->key) == key) {
			*ts = s->ts;
			*nid = s->nid;
			/* Our reads of the slot happen before it is reused. */
			smp_store_release(&s->key, NULL);
			if (p->counted)
				atomic_dec(&p->held);
			return true;
		}
	}
	return false;
}
