# Sources of the synthetic chain generator, appended to libcointrail.
list(APPEND CT_SYNTH_SRC)
