# Sources of the synthetic chain generator (`cointrail synth`, issue 3),
# appended to libcointrail. One file per concern; see src/synth/synth.h.
list(APPEND CT_SYNTH_SRC
  synth/rng.c          # seeded PRNG and distributions
  synth/sha.c          # SHA-256 / HASH160 of short messages (OpenSSL's blocks)
  synth/script.c       # keys, scriptPubKeys, spends, address text
  synth/tx.c           # tx builder and serialisation
  synth/block.c        # blocks, coinbase, merkle, PoW, blk files
  synth/wallet.c       # wallets, address indices, coin pools
  synth/economy.c      # background economy, CoinJoins, mixer, miners
  synth/incidents.c    # planted BTC incidents and their truth
  synth/account.c      # NEM transfers.csv and its Coincheck-shaped drain
  synth/truth.c        # truth.json writer
  synth/synth_main.c   # CLI entry point ct_synth_main
)
