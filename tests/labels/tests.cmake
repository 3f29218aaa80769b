# Tests of the label store (issue 5, labels half; docs/internals/labels.md).
# Generated-input tests always run; each real-data test (../shared/data,
# ${CT_SHARED_DATA}) is paired with one and exits 77 (skipped) without it.
set(CT_LABELS_TESTDIR ${CMAKE_CURRENT_LIST_DIR})
add_executable(test_labels ${CT_LABELS_TESTDIR}/test_labels.c)
target_include_directories(test_labels PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(test_labels PRIVATE cointrail)
# Not a test: `label_lookup_bench DBDIR [N]` prints look-ups per second.
add_executable(label_lookup_bench ${CT_LABELS_TESTDIR}/label_lookup_bench.c)
target_include_directories(label_lookup_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(label_lookup_bench PRIVATE cointrail)

# test_labels CASE [SHARED_DATA]: one process per case.
foreach(c norm csv list tagpack sdn_gen reimport_gen bad_inputs lookup etherscan forta)
  add_test(NAME labels.${c} COMMAND test_labels ${c})
endforeach()
foreach(c sdn_real reimport_real tagpack_real import_all)
  add_test(NAME labels.${c} COMMAND test_labels ${c} ${CT_SHARED_DATA})
  set_tests_properties(labels.${c} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
endforeach()
add_test(NAME labels.cli COMMAND bash ${CT_LABELS_TESTDIR}/label_cli.sh
         $<TARGET_FILE:cointrail-cli>)

# Fuzz targets of the four parsers: replayed over their saved corpus in
# every build (fuzz/replay.c). The libFuzzer builds belong in
# fuzz/CMakeLists.txt (CT_FUZZ=ON) with the same sources.
foreach(t sdn list tagpack csv eth)
  add_executable(labels_fuzz_${t}_replay ${CT_LABELS_TESTDIR}/fuzz_labels_${t}.c
                 ${PROJECT_SOURCE_DIR}/fuzz/replay.c)
  target_include_directories(labels_fuzz_${t}_replay PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(labels_fuzz_${t}_replay PRIVATE cointrail)
  add_test(NAME labels.fuzz_${t}.replay
           COMMAND labels_fuzz_${t}_replay ${CT_LABELS_TESTDIR}/corpus/fuzz_labels_${t})
endforeach()
