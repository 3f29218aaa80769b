# Sources of the label store (the labels half of the case store, issue 5),
# appended to libcointrail. Paths are relative to src/. Needs SQLite3,
# libxml2, libyaml (yaml-0.1), libbz2; see docs/internals/labels.md.
list(APPEND CT_LABELS_SRC
  labels/lsrc.c           # byte sources: file, memory, bzip2; bounded lines
  labels/norm.c           # addresses, chains, categories, confidence
  labels/parse_sdn.c      # OFAC SDN advanced XML (libxml2 xmlTextReader)
  labels/parse_tagpack.c  # GraphSense TagPack YAML (libyaml events)
  labels/parse_text.c     # address lists and CSV
  labels/parse_eth.c      # Etherscan label JSON (jansson), Forta CSVs
  labels/store.c          # cases.db: schema, import diff, index, JSON
  labels/label_cli.c      # `cointrail label ...` (ct__cli_label)
  labels/cases.c          # cases: seeds, trace runs, labelled receivers
)
