# Tests of the synthetic chain generator (`cointrail synth`, docs/synth.md).
# Each script gets the cointrail binary and the source dir; exit 77 = skipped.
set(CT_SYNTH_TESTS
  synth_cli          # arguments, output directory handling, determinism
  synth_bitcoinlib   # blk files and truth.json checked with python-bitcoinlib
  synth_legacy       # --network mainnet --legacy, same checks
  synth_ingest       # cointrail's own ingest reads what synth wrote
  synth_exact)       # --txs N exact when the blocks overflow
foreach(t ${CT_SYNTH_TESTS})
  add_test(NAME synth.${t}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/synth/${t}.sh
            $<TARGET_FILE:cointrail-cli> ${PROJECT_SOURCE_DIR})
  set_tests_properties(synth.${t} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
endforeach()
