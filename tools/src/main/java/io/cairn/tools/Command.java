package io.cairn.tools;

import java.io.PrintStream;

/** One {@code cairn} subcommand. */
interface Command {
    /** @param argv the whole command line, argv[0] being the command name */
    int run(String[] argv, PrintStream out, PrintStream err) throws Exception;

    String help();
}
