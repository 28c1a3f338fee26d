// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: the undo ledger (WG_UNDO): what close gives back, what done
 * draws from it, abandonment and its limits.
 */
#include "wg_fixture.h"

TEST_F(wg, undo_released_on_close)
{
	struct wg_wait w;
	struct wg_info info;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);
	EXPECT_EQ(0, wg_count(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(2U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(2U, info.abandoned);
	EXPECT_EQ(EOWNERDEAD, info.error);
	close(fd);
}

TEST_F(wg, undo_ledger_drawn_by_done)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 1);	/* held by fd, no undo */
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 3, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd2));
	ASSERT_EQ(0, sys_wg_add(fd2, -1, 0, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);	/* ledger holds 1 */
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(1U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(fd);
}

TEST_F(wg, undo_fully_done_abandons_nothing)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd2));
	ASSERT_EQ(0, sys_wg_done(fd2));
	close(fd2);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0U, w.abandoned);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
}

TEST_F(wg, undo_keeps_earlier_error)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 1, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, -1, 0, 11, 0));
	close(fd2);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(11, w.error);
	EXPECT_EQ(1U, w.abandoned);
	close(fd);
}

TEST_F(wg, undo_clamped_at_count)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	/* ledger 2, count 3 */
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, -2, 0, 0, 0));		/* count 1 */
	close(fd2);					/* undo clamped to 1 */
	EXPECT_EQ(0, wg_count(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(EOWNERDEAD, w.error);
	/* Only what was really taken back counts as abandoned. */
	EXPECT_EQ(1U, w.abandoned);
	close(fd);
}

TEST_F(wg, abandoned_saturates)
{
	struct wg_wait w;
	int fd, d, i;

	fd = wg_create_anon(self->dev, 1);
	ASSERT_LE(0, fd);
	/* Three abandonments of INT_MAX - 1 adds: more than 32 bits hold. */
	for (i = 0; i < 3; i++) {
		d = sys_wg_dup(fd, WG_CLOEXEC);
		ASSERT_LE(0, d);
		ASSERT_EQ(0, sys_wg_add(d, INT_MAX - 1, WG_UNDO, 0, 0));
		close(d);
	}
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(UINT32_MAX, w.abandoned);
	close(fd);
}

TEST_F(wg, dup_has_empty_ledger)
{
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 2, WG_UNDO, 0, 0));
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	close(fd2);		/* empty ledger: nothing undone */
	EXPECT_EQ(2, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, failed_add_leaves_ledger)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, 0);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	EXPECT_EQ(-ERANGE, sys_wg_add(fd2, -3, 0, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	close(fd2);	/* the whole ledger of 2 is undone */
	EXPECT_EQ(0, wg_count(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(2U, w.abandoned);
	close(fd);
}

TEST_F(wg, overflowing_undo_add_not_recorded)
{
	struct wg_wait w;
	int fd, fd2;

	fd = wg_create_anon(self->dev, INT32_MAX - 1);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_dup(fd, WG_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd2, 2, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd2, 1, WG_UNDO, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	close(fd2);	/* undoes 1, not 3 */
	EXPECT_EQ(INT32_MAX - 1, wg_count(fd));
	ASSERT_EQ(0, sys_wg_add(fd, -(INT32_MAX - 1), 0, 0, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(1U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(fd);
}

TEST_F(wg, undo_of_open_file_from_wg_open)
{
	struct wg_wait w;
	int fd, fd2;

	fd = sys_wg_create(self->dev, WG_CLOEXEC, 0600, 0, self->name);
	ASSERT_LE(0, fd);
	fd2 = sys_wg_open(self->dev, WG_CLOEXEC, self->name);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, sys_wg_add(fd2, 5, WG_UNDO, 0, 0));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	close(fd2);
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(5U, w.abandoned);
	EXPECT_EQ(EOWNERDEAD, w.error);
	close(fd);
}

TEST_HARNESS_MAIN
