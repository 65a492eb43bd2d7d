/*
** sdram.timing: the SDRAM closed formulas of docs/models/sdram.md, for both boards, through
** bf_sdram_xfer. Notation (SCLK cycles): a = arrival edge, O = core_overhead_sclk = 4,
** s = max(a + O, bus_free) = command start, b = 16-bit beats (2 for 32-bit, 16 for a line).
**   hit      : done = s + CL + b
**   miss     : done = s + tRCD + CL + b
**   conflict : done = p + tRP + tRCD + CL + b, p = max(s, ACT + tRAS, last write end + tWR)
**   write    : same with CL replaced by 0 (data goes out with the WRITE command)
**   fill     : ready = (command) + CL + 2, done = (command) + CL + 16
** Every expected value below is worked by hand from those formulas.
*/
#include "sdram_test_util.h"

/* Board A (EZ-KIT, ratio 5, O 4, CL3 tRCD3 tRP3 tRAS6 tWR2): hit, miss, conflict, 16/32-bit. */
static void test_ezkit_rows(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* 32-bit read 0x1000 (bank 0, row 4), bank idle, now 0: a 0, s 4, ACT 4, READ 7, data
    ** [10,12): done 12 SCLK = 60 CCLK = (O + tRCD + CL + 2) * 5 = (4+3+3+2)*5. */
    bf_resp r = xf(s, 0x1000, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 60);
    BF_CHECK_EQ(r.done, 60);
    BF_CHECK_EQ(r.fault, 0);
    /* 32-bit hit 0x1004 at now 100 (edge 20): s 24, data [27,29): 29*5 = 145; latency 45 =
    ** (O + CL + 2) * 5 = 9 * 5. */
    r = xf(s, 0x1004, 4, RD, BF_SRC_CORE, 100);
    BF_CHECK_EQ(r.ready - 100, 45);
    /* 16-bit hit at now 200 (edge 40): (4 + 3 + 1) * 5 = 40. */
    r = xf(s, 0x1008, 2, RD, BF_SRC_CORE, 200);
    BF_CHECK_EQ(r.ready - 200, 40);
    /* 32-bit conflict 0x1400 (bank 0, row 5) at now 300 (edge 60): s 64, ACT was 4 so tRAS is
    ** long satisfied; PRE 64, ACT 67, READ 70, data [73,75): 375; latency (4+3+3+3+2)*5 = 75. */
    r = xf(s, 0x1400, 4, RD, BF_SRC_CORE, 300);
    BF_CHECK_EQ(r.ready - 300, 75);
    /* Differences: miss - hit = tRCD * 5 = 15 (60 - 45); conflict - hit = (tRP + tRCD) * 5 =
    ** 30 (75 - 45). Checked through the absolute numbers above and restated here. */
    BF_CHECK_EQ(75 - 45, (3 + 3) * 5);
    /* 16-bit miss, bank 1 (A[24:23] = 01: 0x00800000) at now 400 (edge 80): (4+3+3+1)*5 = 55. */
    r = xf(s, 0x00800000, 2, RD, BF_SRC_CORE, 400);
    BF_CHECK_EQ(r.ready - 400, 55);
    /* 16-bit conflict 0x00800400 at now 500 (edge 100): (4+3+3+3+1)*5 = 70. */
    r = xf(s, 0x00800400, 2, RD, BF_SRC_CORE, 500);
    BF_CHECK_EQ(r.ready - 500, 70);
    /* Per-bank and total counters: bank0 miss 1, hit 2, conflict 1; bank1 miss 1, conflict 1. */
    BF_CHECK_EQ(st.row_hits, 2);
    BF_CHECK_EQ(st.row_misses, 2);
    BF_CHECK_EQ(st.row_conflicts, 2);
    BF_CHECK_EQ(st.bank_row[0][BF_SDRAM_ROW_HIT], 2);
    BF_CHECK_EQ(st.bank_row[0][BF_SDRAM_ROW_MISS], 1);
    BF_CHECK_EQ(st.bank_row[0][BF_SDRAM_ROW_CONFLICT], 1);
    BF_CHECK_EQ(st.bank_row[1][BF_SDRAM_ROW_MISS], 1);
    BF_CHECK_EQ(st.bank_row[1][BF_SDRAM_ROW_CONFLICT], 1);
    BF_CHECK_EQ(st.reads[BF_SRC_CORE], 6);
    BF_CHECK_EQ(st.bytes_read, 4 + 4 + 2 + 4 + 2 + 2);
    bf_sdram_destroy(s);
}

/* Board B (400 MHz / 133333333 Hz, edge k at 3k + 1; O 4, CL2 tRCD2 tRP2 tRAS5 tWR2). Requests
** are issued exactly on an edge (now = 3k + 1), so latency = 3 x SCLK count. */
static void test_board_b_rows(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_b(&c);
    bf_sdram *s = mk(&c, &st);
    /* 32-bit miss 0x0 at now 4 (edge 1): s 5, ACT 5, READ 7, data [9,11): edge 11 = CCLK 34;
    ** latency 30 = 3 * (4+2+2+2). */
    bf_resp r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 4);
    BF_CHECK_EQ(r.ready, 34);
    /* 32-bit hit at now 100 (edge 33): s 37, data [39,41): edge 41 = 124; latency 24 = 3*8. */
    r = xf(s, 0x4, 4, RD, BF_SRC_CORE, 100);
    BF_CHECK_EQ(r.ready, 124);
    /* 16-bit hit at now 202 (edge 67): 3 * (4+2+1) = 21. */
    r = xf(s, 0x8, 2, RD, BF_SRC_CORE, 202);
    BF_CHECK_EQ(r.ready - 202, 21);
    /* 32-bit conflict 0x1000 (row 1; rows are 4 KB) at now 301 (edge 100): s 104, PRE 104,
    ** ACT 106, READ 108, data [110,112): edge 112 = 337; latency 36 = 3 * (4+2+2+2+2). */
    r = xf(s, 0x1000, 4, RD, BF_SRC_CORE, 301);
    BF_CHECK_EQ(r.ready, 337);
    /* miss - hit = 3 * tRCD = 6 (30 - 24); conflict - hit = 3 * (tRP + tRCD) = 12 (36 - 24). */
    /* 16-bit miss in bank 1 (A[26:25] = 01: 0x02000000) at now 400 (edge 133): 3 * 9 = 27. */
    r = xf(s, 0x02000000, 2, RD, BF_SRC_CORE, 400);
    BF_CHECK_EQ(r.ready - 400, 27);
    /* 16-bit conflict 0x02001000 at now 502 (edge 167): 3 * (4+2+2+2+1) = 33. */
    r = xf(s, 0x02001000, 2, RD, BF_SRC_CORE, 502);
    BF_CHECK_EQ(r.ready - 502, 33);
    BF_CHECK_EQ(st.bank_row[0][BF_SDRAM_ROW_HIT], 2);
    BF_CHECK_EQ(st.bank_row[0][BF_SDRAM_ROW_MISS], 1);
    BF_CHECK_EQ(st.bank_row[0][BF_SDRAM_ROW_CONFLICT], 1);
    BF_CHECK_EQ(st.bank_row[1][BF_SDRAM_ROW_MISS], 1);
    BF_CHECK_EQ(st.bank_row[1][BF_SDRAM_ROW_CONFLICT], 1);
    /* Non-integer ratio, request between edges: 32-bit hit 0x1004 at now 602. Edges 601 (k 200)
    ** and 604 (k 201): a = 201, s 205, data [207,209): edge 209 = 628; latency 26 = 2 (wait for
    ** the edge) + 3 * 8. */
    r = xf(s, 0x1004, 4, RD, BF_SRC_CORE, 602);
    BF_CHECK_EQ(r.ready, 628);
    bf_sdram_destroy(s);
    /* Edge 0 lies at CCLK 0 but edge 10 at ceil(10 * 3.0000000075) = 31: a fresh 32-bit miss at
    ** now 0 ends at SCLK 10 = CCLK 31. */
    s = mk(&c, &st);
    r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 31);
    BF_CHECK_EQ(bf_sdram_edge_cclk(s, 10), 31);
    BF_CHECK_EQ(bf_sdram_edge_cclk(s, 133333333), 400000000);
    bf_sdram_destroy(s);
}

/* Edge alignment at CCLK:SCLK = 2.5 (250 MHz / 100 MHz, EZ-KIT registers): edges at CCLK 0, 3,
** 5, 8, 10, 13, 15, ..., edge k = ceil(2.5 k). */
static void test_ratio_2_5(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    c.cclk_hz = 250000000;
    c.sclk_hz = 100000000;
    bf_sdram *s = mk(&c, &st);
    /* now 1 -> edge 1 (CCLK 3); miss 32-bit = 12 SCLK -> edge 13 = ceil(32.5) = 33. */
    bf_resp r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 1);
    BF_CHECK_EQ(r.ready, 33);
    bf_sdram_destroy(s);
    /* now 4 -> edge 2 (CCLK 5); edge 14 = 35. */
    s = mk(&c, &st);
    r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 4);
    BF_CHECK_EQ(r.ready, 35);
    /* now 35 is exactly edge 14: a hit then ends at edge 14 + 9 = 23 -> ceil(57.5) = 58. */
    r = xf(s, 0x4, 4, RD, BF_SRC_CORE, 35);
    BF_CHECK_EQ(r.ready, 58);
    bf_sdram_destroy(s);
}

/* Line fills (32 bytes = 16 beats, critical word first): ready when the critical 32-bit word
** (2 beats) is in, done when all 16 are. */
static void test_fills(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* Fill of line 0x2000 (bank 0, row 8), critical 0x2014, now 0: s 4, ACT 4, READ 7, data
    ** [10,26): ready 12 -> 60 = (O+tRCD+CL+2)*5; done 26 -> 130 = (O+tRCD+CL+16)*5. */
    bf_resp r = xf(s, 0x2014, 32, RD, BF_SRC_FILL, 0);
    BF_CHECK_EQ(r.ready, 60);
    BF_CHECK_EQ(r.done, 130);
    /* Hit fill, line 0x2020 critical 0x203C, now 200 (edge 40): s 44, data [47,63): ready 49
    ** -> 245 (45 = (O+CL+2)*5), done 63 -> 315 (115 = (O+CL+16)*5). */
    r = xf(s, 0x203C, 32, RD, BF_SRC_FILL, 200);
    BF_CHECK_EQ(r.ready - 200, 45);
    BF_CHECK_EQ(r.done - 200, 115);
    /* Conflict fill, line 0x2400 (row 9), now 400 (edge 80): s 84, PRE 84, ACT 87, READ 90, data
    ** [93,109): ready 95 -> 475 (75), done 109 -> 545 (145 = 29 SCLK * 5, the reference's
    ** "row conflict ~ 29 SCLK"). */
    r = xf(s, 0x2408, 32, RD, BF_SRC_FILL, 400);
    BF_CHECK_EQ(r.ready - 400, 75);
    BF_CHECK_EQ(r.done - 400, 145);
    BF_CHECK_EQ(st.reads[BF_SRC_FILL], 3);
    BF_CHECK_EQ(st.bytes_read, 96);
    bf_sdram_destroy(s);
    /* fill_critical_bytes = 8 (a 64-bit critical word, 4 beats): the miss fill of the first
    ** case is ready at 10 + 4 = 14 -> 70, done unchanged at 130; the remaining three 64-bit words
    ** then arrive every 4 beats (done - ready = 12 SCLK = 3 x 4). */
    c.fill_critical_bytes = 8;
    s = mk(&c, &st);
    r = xf(s, 0x2014, 32, RD, BF_SRC_FILL, 0);
    BF_CHECK_EQ(r.ready, 70);
    BF_CHECK_EQ(r.done, 130);
    bf_sdram_destroy(s);

    board_b(&c);
    s = mk(&c, &st);
    /* Board B fill miss at now 4 (edge 1): s 5, ACT 5, READ 7, data [9,25): ready 11 -> 34
    ** (30 = 3*10), done 25 -> 76 (72 = 3*24). */
    r = xf(s, 0x1C, 32, RD, BF_SRC_FILL, 4);
    BF_CHECK_EQ(r.ready, 34);
    BF_CHECK_EQ(r.done, 76);
    /* Hit fill at now 100 (edge 33): data [39,55): ready 41 -> 124 (24), done 55 -> 166 (66). */
    r = xf(s, 0x20, 32, RD, BF_SRC_FILL, 100);
    BF_CHECK_EQ(r.ready, 124);
    BF_CHECK_EQ(r.done, 166);
    /* Conflict fill 0x1000 at now 301 (edge 100): PRE 104, ACT 106, READ 108, data [110,126):
    ** ready 112 -> 337 (36 = 3*12), done 126 -> 379 (78 = 3*26). */
    r = xf(s, 0x1000, 32, RD, BF_SRC_FILL, 301);
    BF_CHECK_EQ(r.ready, 337);
    BF_CHECK_EQ(r.done, 379);
    bf_sdram_destroy(s);
}

/* Writes: dirty-line write-back, write recovery before the next precharge, read-to-write
** turnaround. */
static void test_writes(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* Victim write-back of line 0x3000 (bank 0 row 12), idle bank, now 0: s 4, ACT 4, WRITE 7,
    ** data [7,23): done 23 -> 115 = (O + tRCD + 16) * 5. pre_ok = max(4+6, 23+2) = 25. */
    bf_resp r = xf(s, 0x3000, 32, WR, BF_SRC_VICTIM, 0);
    BF_CHECK_EQ(r.done, 115);
    BF_CHECK_EQ(r.ready, 115);
    /* Read of 0x3400 (row 13, same bank) issued at now 0 too: queued, s = 23; PRE waits for
    ** tWR until 25; ACT 28, READ 31, data [34,36): 36 -> 180 =
    ** (O + tRCD + 16 + tWR + tRP + tRCD + CL + 2) * 5 = (4+3+16+2+3+3+3+2) * 5. */
    r = xf(s, 0x3400, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 180);
    BF_CHECK_EQ(st.twr_wait_sclk, 2);
    BF_CHECK_EQ(st.queue_wait_sclk, 23 - 4);
    /* Write-back of 0x3000 again at now 500 (edge 100): conflict, row 13 opened at 28 so tRAS is
    ** met; PRE 104, ACT 107, WRITE 110, data [110,126): 126 -> 630; (O+tRP+tRCD+16)*5 = 130. */
    r = xf(s, 0x3000, 32, WR, BF_SRC_VICTIM, 500);
    BF_CHECK_EQ(r.done - 500, 130);
    /* 32-bit write hit in row 12 at now 1000 (edge 200): s 204, data [204,206): 1030; latency
    ** (O + 2) * 5 = 30. A 32-byte write-back hit (0x3020) at now 1500 (edge 300): s 304, data
    ** [304,320): 1600; (O + 16) * 5 = 100. */
    r = xf(s, 0x3008, 4, WR, BF_SRC_WBUF, 1000);
    BF_CHECK_EQ(r.done - 1000, 30);
    r = xf(s, 0x3020, 32, WR, BF_SRC_VICTIM, 1500);
    BF_CHECK_EQ(r.done - 1500, 100);
    BF_CHECK_EQ(st.writes[BF_SRC_VICTIM], 3);
    BF_CHECK_EQ(st.bytes_written, 100);
    bf_sdram_destroy(s);

    /* Read-to-write turnaround (FBBRW = 0 on the EZ-KIT): 32-bit read 0x0 at now 0 ends at 12;
    ** a 32-bit write-buffer drain to 0x4 also issued at now 0 starts at 12 + rw_turn_sclk (1) =
    ** 13, row hit, data [13,15): 15 -> 75. */
    s = mk(&c, &st);
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    r = xf(s, 0x4, 4, WR, BF_SRC_WBUF, 0);
    BF_CHECK_EQ(r.done, 75);
    BF_CHECK_EQ(st.rw_turn_sclk, 1);
    BF_CHECK_EQ(st.writes[BF_SRC_WBUF], 1);
    bf_sdram_destroy(s);
    /* With FBBRW set (bit 26: 0x0491998D) the write starts at 12: 14 -> 70. */
    c.sdgctl = 0x0491998D;
    s = mk(&c, &st);
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    r = xf(s, 0x4, 4, WR, BF_SRC_WBUF, 0);
    BF_CHECK_EQ(r.done, 70);
    bf_sdram_destroy(s);

    /* Board B: write-back at now 4 (edge 1): s 5, ACT 5, WRITE 7, data [7,23): edge 23 = 70
    ** (66 = 3 * (4+2+16)); then a conflict read of 0x1000 at now 4: s 23, PRE at max(23, 5+5,
    ** 23+2) = 25, ACT 27, READ 29, data [31,33): edge 33 = 100 (96 = 3 * 32). */
    board_b(&c);
    s = mk(&c, &st);
    r = xf(s, 0x0, 32, WR, BF_SRC_VICTIM, 4);
    BF_CHECK_EQ(r.done, 70);
    r = xf(s, 0x1000, 4, RD, BF_SRC_CORE, 4);
    BF_CHECK_EQ(r.ready, 100);
    BF_CHECK_EQ(st.twr_wait_sclk, 2);
    /* Write-back of row 0 again at now 301 (edge 100): conflict (row 1 opened at 27, tRAS met):
    ** PRE 104, ACT 106, WRITE 108, data [108,124): edge 124 = 373; 3 * (4+2+2+16) = 72. */
    r = xf(s, 0x0, 32, WR, BF_SRC_VICTIM, 301);
    BF_CHECK_EQ(r.done, 373);
    /* 32-bit write hit at now 502 (edge 167): s 171, data [171,173): 520; 3 * (4 + 2) = 18. */
    r = xf(s, 0x8, 4, WR, BF_SRC_WBUF, 502);
    BF_CHECK_EQ(r.done, 520);
    bf_sdram_destroy(s);
}

/* tRAS: a row must stay open tRAS after its ACTIVATE. EZ-KIT registers with tRAS = 15
** (SDGCTL 0x00919BCD). */
static void test_tras(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    c.sdgctl = 0x00919BCD;
    bf_sdram *s = mk(&c, &st);
    /* Miss at now 0: ACT 4, READ 7, done 12. Conflict read 0x400 at now 0: s 12 but PRE must
    ** wait for 4 + 15 = 19 (7 cycles); ACT 22, READ 25, data [28,30): 30 -> 150. */
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    bf_resp r = xf(s, 0x400, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 150);
    BF_CHECK_EQ(st.tras_wait_sclk, 7);
    BF_CHECK_EQ(st.twr_wait_sclk, 0);
    bf_sdram_destroy(s);
    /* Board B registers with tRAS 15 (0x009113C9): miss at now 4 (edge 1): ACT 5, READ 7, done
    ** 11; conflict read 0x1000 at now 4: PRE waits to 5 + 15 = 20 (9 cycles), ACT 22, READ 24,
    ** data [26,28): edge 28 = 85. */
    board_b(&c);
    c.sdgctl = 0x009113C9;
    s = mk(&c, &st);
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 4);
    r = xf(s, 0x1000, 4, RD, BF_SRC_CORE, 4);
    BF_CHECK_EQ(r.ready, 85);
    BF_CHECK_EQ(st.tras_wait_sclk, 9);
    bf_sdram_destroy(s);
}

/* Auto-refresh every RDIV SCLK (the counter's time-out; tRAS + tRP is only the RDIV equation's
** margin); costs tRP + (tRAS + tRP) of bus time and closes all rows. */
static void test_refresh(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* Open row 0 of bank 0 (miss, done 12). Refresh 1 is due at RDIV = 919 (CCLK 4595). A 32-bit
    ** read of the same row at now 4575 (edge 915) would start at 915 + 4 = 919 >= due, so the
    ** refresh goes first: [919, 931); the row is closed, so the read is a miss: ACT 931, READ
    ** 934, data [937,939): 939 -> 4695, latency 120 instead of the hit's 45. Refresh cost to this
    ** access: 75 CCLK = (busy 12 + tRCD 3) * 5. */
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    bf_resp r = xf(s, 0x4, 4, RD, BF_SRC_CORE, 4575);
    BF_CHECK_EQ(r.ready, 4695);
    BF_CHECK_EQ(r.ready - 4575 - 45, (12 + 3) * 5);
    BF_CHECK_EQ(st.refreshes, 1);
    BF_CHECK_EQ(st.refresh_collisions, 1);
    BF_CHECK_EQ(st.refresh_wait_sclk, 12);
    BF_CHECK_EQ(st.refresh_busy_sclk, 12);
    BF_CHECK_EQ(st.row_misses, 2);
    /* Refresh 2 is due at 2 x 919 = 1838. A read at now 9165 (edge 1833) starts at 1837 < 1838:
    ** served first, a hit (row 0 reopened at 931): data [1840,1842): 9210, latency 45. */
    r = xf(s, 0x8, 4, RD, BF_SRC_CORE, 9165);
    BF_CHECK_EQ(r.ready - 9165, 45);
    /* The refresh then waits for the bus: [1842, 1854). A read at now 9190 (edge 1838) is
    ** delayed by it (wait 1854 - 1842 = 12) and misses: ACT 1854, READ 1857, done 1862 ->
    ** 9310, latency 120. */
    r = xf(s, 0xC, 4, RD, BF_SRC_CORE, 9190);
    BF_CHECK_EQ(r.ready, 9310);
    BF_CHECK_EQ(st.refreshes, 2);
    BF_CHECK_EQ(st.refresh_wait_sclk, 24);
    /* A long idle gap: refreshes 3..10 (due 2757 .. 9190) run at their due times. A read at now
    ** 45930 (edge 9186; start 9190 = due of refresh 10): refresh 10 occupies [9190,9202),
    ** then a miss: done 9202 + 3 + 3 + 2 = 9210 -> 46050, latency 120. */
    r = xf(s, 0x10, 4, RD, BF_SRC_CORE, 45930);
    BF_CHECK_EQ(r.ready, 46050);
    BF_CHECK_EQ(st.refreshes, 10);
    BF_CHECK_EQ(st.refresh_busy_sclk, 120);
    bf_sdram_destroy(s);

    /* Board B: period RDIV = 1034, busy 2 + 5 + 2 = 9. Open row 0 at now 4 (done 11). A 32-bit
    ** read at now 3091 (edge 1030, 3*1030+1) would start at 1034 = due: refresh [1034,1043),
    ** then a miss: ACT 1043, READ 1045, data [1047,1049): edge 1049 = 3148, latency
    ** 57 = 3 * (4 + 9 + 2 + 2 + 2); the hit would be 24, so the refresh cost is 33 = 3 * (9 + 2).
    */
    board_b(&c);
    s = mk(&c, &st);
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 4);
    r = xf(s, 0x4, 4, RD, BF_SRC_CORE, 3091);
    BF_CHECK_EQ(r.ready, 3148);
    BF_CHECK_EQ(st.refreshes, 1);
    BF_CHECK_EQ(st.refresh_wait_sclk, 9);
    bf_sdram_destroy(s);

    /* The refresh's precharge-all waits for tWR of a write that just ended. 32-bit write-buffer
    ** drain at now 4545 (edge 909): s 913, miss: ACT 913, WRITE 916, data [916,918) (done 918 =
    ** CCLK 4590); pre_ok = max(913 + 6, 918 + 2) = 920. Refresh 1 (due 919) precharges at 920
    ** and ends at 920 + 12 = 932. A read of the row at now 4575 (edge 915) then misses: done
    ** 932 + 3 + 3 + 2 = 940 -> 4700. refresh_busy_sclk counts from the due time: 13. */
    board_ezkit(&c);
    s = mk(&c, &st);
    r = xf(s, 0x0, 4, WR, BF_SRC_WBUF, 4545);
    BF_CHECK_EQ(r.done, 4590);
    r = xf(s, 0x4, 4, RD, BF_SRC_CORE, 4575);
    BF_CHECK_EQ(r.ready, 4700);
    BF_CHECK_EQ(st.refresh_busy_sclk, 13);
    bf_sdram_destroy(s);

    /* refresh_sclk set explicitly (ESTIMATE override) to 20: busy = tRP + 20 = 23 (EZ-KIT). Same
    ** collision as the first case: refresh [919, 942), miss done 942 + 8 = 950 -> 4750. */
    board_ezkit(&c);
    c.refresh_sclk = 20;
    s = mk(&c, &st);
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    r = xf(s, 0x4, 4, RD, BF_SRC_CORE, 4575);
    BF_CHECK_EQ(r.ready, 4750);
    bf_sdram_destroy(s);
}

/* Several sources in arrival order: a drain in progress delays a fill. */
static void test_drain_delays_fill(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* Alone, a fill of line 0x2000 (bank 0 idle) at now 10 (edge 2) is a miss: ready at edge
    ** 2 + 4 + 3 + 3 + 2 = 14 -> 70. */
    bf_resp r = xf(s, 0x2000, 32, RD, BF_SRC_FILL, 10);
    BF_CHECK_EQ(r.ready, 70);
    bf_sdram_destroy(s);
    /* With a victim write-back to bank 1 (0x00800000) issued at now 0 (s 4, ACT 4, WRITE 7,
    ** data [7,23)), the same fill starts at 23 instead of 6: ACT 23, READ 26, data [29,45):
    ** ready 31 -> 155, done 45 -> 225. Delay 85 CCLK = 17 SCLK = 23 - 6. */
    s = mk(&c, &st);
    xf(s, 0x00800000, 32, WR, BF_SRC_VICTIM, 0);
    r = xf(s, 0x2000, 32, RD, BF_SRC_FILL, 10);
    BF_CHECK_EQ(r.ready, 155);
    BF_CHECK_EQ(r.done, 225);
    BF_CHECK_EQ(st.queue_wait_sclk, 17);
    BF_CHECK_EQ(bf_sdram_idle_at(s), 225);
    bf_sdram_destroy(s);
}

/* A read crossing a row boundary is one command sequence per row; EBUFE adds ebufe_sclk. */
static void test_row_cross_and_ebufe(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* 8 bytes at 0x3FC: 0x3FC..0x3FF in row 0 (miss: ACT 4, READ 7, data [10,12)), 0x400..0x403
    ** in row 1 of the same bank (conflict: PRE 12, ACT 15, READ 18, data [21,23)): 23 -> 115. */
    bf_resp r = xf(s, 0x3FC, 8, RD, BF_SRC_DMA, 0);
    BF_CHECK_EQ(r.ready, 115);
    BF_CHECK_EQ(st.row_misses, 1);
    BF_CHECK_EQ(st.row_conflicts, 1);
    BF_CHECK_EQ(st.reads[BF_SRC_DMA], 1);
    bf_sdram_destroy(s);
    /* EBUFE (bit 25: 0x0291998D): a 32-bit miss is 12 + 1 = 13 SCLK -> 65. */
    c.sdgctl = 0x0291998D;
    s = mk(&c, &st);
    r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 65);
    bf_sdram_destroy(s);
}

int main(void)
{
    test_ezkit_rows();
    test_board_b_rows();
    test_ratio_2_5();
    test_fills();
    test_writes();
    test_tras();
    test_refresh();
    test_drain_delays_fill();
    test_row_cross_and_ebufe();
    return bf_test_exit();
}
