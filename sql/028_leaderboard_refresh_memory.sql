-- 028_leaderboard_refresh_memory.sql - pd_leaderboard_refresh (sql/025) runs with 256 MB of
-- maintenance_work_mem, for its own calls only: its two rank indexes sort 7,500,000 rows at a
-- million players, and in memory rather than in 64 MB runs on disk (the default) the whole
-- refresh took 47 s instead of 62 s on the idle 2-core development machine, inside the
-- leaderboard task's minute (scripts/bench-leaderboard.sh).
ALTER FUNCTION pd_leaderboard_refresh(BIGINT[]) SET maintenance_work_mem = '256MB';
