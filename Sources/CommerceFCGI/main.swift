import CSystem
#if canImport(Glibc)
import Glibc
#endif

// Line-buffered stdout: under systemd it is a pipe and would otherwise hold lines back.
cfcgi_stdout_line_buffered()

CommerceFCGICommand.main(CommandLineInterface.reordered(Array(CommandLine.arguments.dropFirst())))
