/*
 * cmd_case.c - `cointrail case open|update|list|show`: named
 * investigations kept in the case store (see docs/tracing.md).
 */
#include "cli/cli.h"

int cmd_case(cli *c)
{
	(void)c;
	return cli_usage("case: not yet");
}
