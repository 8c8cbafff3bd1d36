/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB's writer-side notifier (vtep_fdb_set_notify, behind `vtepctl monitor fdb`): one call
 * per change, of the right kind, key, remote and flags; none for a learn that changes nothing, a
 * refused learn or a failed delete; none once cleared.
 */
#include <string.h>

#include "test_common.h"
#include "vtep_fdb.h"

struct seen {
	unsigned int nb;
	struct {
		enum vtep_fdb_change what;
		uint64_t key;
		rte_be32_t dst_be;
		uint8_t flags;
	} e[16];
};

static void
on_change(void *arg, enum vtep_fdb_change what, uint64_t key, rte_be32_t dst_be,
		uint16_t remote __rte_unused, uint8_t flags)
{
	struct seen *s = arg;

	if (s->nb < RTE_DIM(s->e)) {
		s->e[s->nb].what = what;
		s->e[s->nb].key = key;
		s->e[s->nb].dst_be = dst_be;
		s->e[s->nb].flags = flags;
	}
	s->nb++;
}

static bool
last_is(const struct seen *s, unsigned int nb, enum vtep_fdb_change what, uint64_t key,
		uint32_t dst, uint8_t flags)
{
	return s->nb == nb && s->e[nb - 1].what == what && s->e[nb - 1].key == key &&
			s->e[nb - 1].dst_be == rte_cpu_to_be_32(dst) && s->e[nb - 1].flags == flags;
}

int
main(void)
{
	struct vtep_fdb_params p = {.name = "f_notify", .size = 64, .nb_vnis = 2};
	struct rte_ether_addr a = {{2, 0, 0, 0, 0, 1}}, b = {{2, 0, 0, 0, 0, 2}};
	uint64_t ka = vtep_fdb_key(0, &a), kb = vtep_fdb_key(1, &b);
	struct vtep_learn_event ev = {.key = ka, .src_be = rte_cpu_to_be_32(0x0a000001)};
	struct seen s = {0};
	struct vtep_fdb *f;
	uint32_t now;

	vtep_test_eal_init("test_fdb_notify", NULL);
	p.vni_ageing[0] = 300;
	f = vtep_fdb_create(&p);
	CHECK(f != NULL);
	if (f == NULL)
		return vtep_test_done("fdb_notify");
	now = vtep_fdb_now();
	vtep_fdb_set_notify(f, on_change, &s);

	CHECK(vtep_fdb_learn(f, &ev, 1, now) == 0);
	CHECK(last_is(&s, 1, VTEP_FDB_EV_LEARNED, ka, 0x0a000001, 0));
	CHECK(vtep_fdb_learn(f, &ev, 1, now) == 1); /* nothing changed: no event */
	CHECK(s.nb == 1);
	ev.src_be = rte_cpu_to_be_32(0x0a000002);
	CHECK(vtep_fdb_learn(f, &ev, 2, now) == 0);
	CHECK(last_is(&s, 2, VTEP_FDB_EV_MOVED, ka, 0x0a000002, 0));
	CHECK(vtep_fdb_add_static(f, kb, rte_cpu_to_be_32(0x0a000003), 3) == 0);
	CHECK(last_is(&s, 3, VTEP_FDB_EV_STATIC, kb, 0x0a000003, VTEP_FDB_STATIC));
	/* A learn against a static entry is refused: no event. */
	ev.key = kb;
	CHECK(vtep_fdb_learn(f, &ev, 2, now) == -EPERM);
	CHECK(s.nb == 3);
	CHECK(vtep_fdb_add_static(f, ka, rte_cpu_to_be_32(0x0a000004), 4) == 0); /* replaces */
	CHECK(last_is(&s, 4, VTEP_FDB_EV_STATIC, ka, 0x0a000004, VTEP_FDB_STATIC));
	CHECK(vtep_fdb_del(f, kb) == 0);
	CHECK(last_is(&s, 5, VTEP_FDB_EV_DELETED, kb, 0x0a000003, VTEP_FDB_STATIC));
	CHECK(vtep_fdb_del(f, kb) == -ENOENT);
	CHECK(s.nb == 5);
	CHECK(vtep_fdb_del(f, ka) == 0);
	CHECK(last_is(&s, 6, VTEP_FDB_EV_DELETED, ka, 0x0a000004, VTEP_FDB_STATIC));

	/* Flush and ageing say which they were. */
	ev.key = ka;
	CHECK(vtep_fdb_learn(f, &ev, 2, now) == 0);
	CHECK(vtep_fdb_flush(f, -1, 0) == 1);
	CHECK(last_is(&s, 8, VTEP_FDB_EV_FLUSHED, ka, 0x0a000002, 0));
	CHECK(vtep_fdb_learn(f, &ev, 2, now) == 0);
	CHECK(vtep_fdb_age(f, now + 300) == 1);
	CHECK(last_is(&s, 10, VTEP_FDB_EV_AGED, ka, 0x0a000002, 0));

	vtep_fdb_set_notify(f, NULL, NULL);
	CHECK(vtep_fdb_learn(f, &ev, 2, now) == 0);
	CHECK(s.nb == 10);
	vtep_fdb_free(f);
	return vtep_test_done("fdb_notify");
}
