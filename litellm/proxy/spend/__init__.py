"""The spend ledger: one row per request (:mod:`.rows`), written ahead to a disk spool and behind the
response to the database in batches (:mod:`.ledger`), and the reports derived from the rows
(:mod:`.reports`)."""
