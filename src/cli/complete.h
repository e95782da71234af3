/*
 * Shell completion: the hidden `strata __complete WORD...` prints the
 * candidates for the last word of a command line, from the same tables
 * that parse it, so that the bash, zsh and fish scripts (completions/)
 * never drift from the code.
 */
#ifndef STRATA_CLI_COMPLETE_H
#define STRATA_CLI_COMPLETE_H

/*
 * words[0..n-1]: the words after "strata", the last one the word being
 * completed (possibly ""). Prints one candidate per line, each starting
 * with that word, or the single line ":files" or ":dirs" when the shell
 * should complete file or folder names. With describe, each candidate is
 * followed by a tab and a description (for zsh and fish). Nothing goes
 * to stderr. Returns EXIT_OK, or EXIT_FAILED when stdout failed.
 */
int cli_complete(int n, char **words, int describe);

#endif
