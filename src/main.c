/*
 * watchfor: options, startup order, exit codes. Skeleton.
 */
#include <stdio.h>

int
main(void)
{
	puts("watchfor " WATCHFOR_VERSION);
	return 0;
}
