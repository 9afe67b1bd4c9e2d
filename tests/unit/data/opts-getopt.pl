#!/usr/bin/perl
# opts-getopt.pl ARGS...: parses ARGS exactly as swatchdog 3.2.4 does and
# prints what it found, for record-opts.pl.
#
# The option table is read from /usr/bin/swatchdog itself (the GetOptions
# call of parse_command_line), so the parse is swatchdog's own. One change,
# watchfor's deliberate extension: --tail-file|-t is linked to an array
# (repeatable) instead of a scalar; Getopt::Long parses it the same way.
#
# Output: "field NAME=VALUE" lines in the order of struct opts, "err TEXT"
# for each Getopt::Long message (in order), and "ok 0|1".
use strict;
use warnings;

my $src = '/usr/bin/swatchdog';
open(my $fh, '<', $src) or die "$src: $!\n";
my $text = do { local $/; <$fh> };
close($fh);
$text =~ /GetOptions\((.*?)\);/s or die "no GetOptions in $src\n";
my $table = $1;

our ($awk_field_syntax, $opt_config_file, $opt_daemon, $opt_debug_level,
    @extra_modules, @extra_include_dirs, $opt_help,
    $opt_input_record_separator, $opt_old_style_config, $opt_pid_file,
    $opt_restart_time, $tail_cmd_args, $tail_cmd_name, @opt_tail_file,
    $opt_read_pipe, $opt_examine, $opt_script_dir, $use_cpan_file_tail,
    $opt_version, $opt_dump_script);
$table =~ s/\\\$opt_tail_file/\\\@opt_tail_file/ or die "no tail-file\n";
$awk_field_syntax = 0;

my @errs;
$SIG{__WARN__} = sub { push @errs, $_[0] };
require Getopt::Long;
Getopt::Long::config('bundling');
my $ok = eval "Getopt::Long::GetOptions($table)";
die $@ if $@;

sub esc {
	my $s = shift;
	$s =~ s/([\\\x00-\x1f\x7f-\xff])/
	    $1 eq "\\" ? "\\\\" : $1 eq "\n" ? "\\n" : $1 eq "\t" ? "\\t" :
	    sprintf("\\x%02x", ord($1))/ge;
	return $s;
}
sub field { print "field $_[0]=", esc($_[1]), "\n" }

field('awk_field_syntax', 1) if $awk_field_syntax;
field('config_file', $opt_config_file) if defined $opt_config_file;
field('daemon', 1) if $opt_daemon;
field('debug', $opt_debug_level) if defined $opt_debug_level;
field('dump_script', $opt_dump_script) if defined $opt_dump_script;
field('examine', $opt_examine) if defined $opt_examine;
field('extra_include_dir', $_) for @extra_include_dirs;
field('extra_module', $_) for @extra_modules;
field('help', 1) if $opt_help;
field('irs', $opt_input_record_separator)
    if defined $opt_input_record_separator;
field('old_style', 1) if $opt_old_style_config;
field('pid_file', $opt_pid_file) if defined $opt_pid_file;
field('read_pipe', $opt_read_pipe) if defined $opt_read_pipe;
field('restart_time', $opt_restart_time) if defined $opt_restart_time;
field('script_dir', $opt_script_dir) if defined $opt_script_dir;
field('tail_args', $tail_cmd_args) if defined $tail_cmd_args;
field('tail_file', $_) for @opt_tail_file;
field('tail_program', $tail_cmd_name) if defined $tail_cmd_name;
field('use_cpan_file_tail', 1) if $use_cpan_file_tail;
field('version', 1) if $opt_version;
for (@errs) {
	my $e = $_;
	$e =~ s/\n\z// or die "message without newline: $e";
	print "err ", esc($e), "\n";
}
print "ok ", ($ok ? 1 : 0), "\n";
