# Sources of the account-model chains (issue 4), appended to libcointrail.
# Paths are relative to src/. See docs/internals/account.md.
list(APPEND CT_ACCT_SRC
  chain/account/acctstore.c   # the store: columns, commit, recovery, readers
  chain/account/acctfmt.c     # addresses (EIP-55, NEM, TRON) and exact amounts
  chain/account/rows.c        # CSV / JSON Lines row reader, typed fields (fuzzed)
  chain/account/ingest.c      # `ingest transfers`: validate, sort, append, commit
)
