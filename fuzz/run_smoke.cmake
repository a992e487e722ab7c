# run_smoke.cmake — one fuzz smoke run: copies the committed seed corpus to a scratch folder in
# the build tree (so the fuzzer's new inputs never touch the checkout) and fuzzes it for a while.
#
# cmake -DFUZZER=<exe> -DCORPUS=<fuzz/corpus/target> -DWORK=<scratch dir> -DSECONDS=<n> -P run_smoke.cmake
foreach(var FUZZER CORPUS WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_smoke.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(COPY "${CORPUS}/" DESTINATION "${WORK}/corpus")

execute_process(
  COMMAND "${FUZZER}" "${WORK}/corpus" -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=4096
          -print_final_stats=1 "-artifact_prefix=${WORK}/artifacts/"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${status}); the failing input is in ${WORK}/artifacts/. "
                      "Reproduce with: ${FUZZER} ${WORK}/artifacts/<file>")
endif()
