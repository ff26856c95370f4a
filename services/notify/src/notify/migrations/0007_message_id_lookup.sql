-- A receipt finds its alert by message id through this GIN index, twice per alert. With
-- GIN's default fast update, new entries wait in a pending list that every lookup scans in
-- full until a vacuum merges it; alerts are written (and rewritten, status by status) as fast
-- as receipts look them up, so the list is always long. Written straight into the index,
-- each write costs a little more and each lookup stays an index search (measured on this
-- machine: 5.0 ms against 0.9 ms per lookup and mark after 6,000 alerts; docs/performance.md).
ALTER INDEX alerts_by_message_id SET (fastupdate = off);
SELECT gin_clean_pending_list('alerts_by_message_id'::regclass);
