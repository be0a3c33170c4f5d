package app

import "fmt"

// helpGroups orders the commands in --help: what a teacher uses every day
// first, the developers' tools last. TestHelpListsEveryCommand checks that
// each command is in one group.
var helpGroups = []struct {
	title string
	names []string
}{
	{"Everyday", []string{"play", "plot", "ports", "calibrate", "convert", "info", "export", "register"}},
	{"Sharing with the class", []string{"bridge", "serve"}},
	{"For developers", []string{"bench", "loadtest", "gen"}},
}

func printHelp(env *Env) {
	w := env.Stdout
	fmt.Fprintf(w, "%s replays drawings stroke by stroke, draws them on a Makeblock mBot, and\nbenchmarks its renderer.\n", env.Prog)
	for _, g := range helpGroups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.names {
			if c := lookup(name); c != nil {
				fmt.Fprintf(w, "  %s %s\n      %s\n", env.Prog, c.usage, c.summary)
			}
		}
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags, '%s --version' for the version.\n", env.Prog, env.Prog)
	if env.Window == nil && env.NoDisplay != "" {
		fmt.Fprintf(w, "There is no window here (%s): 'play' and '--backend gpu' need a display.\n", env.NoDisplay)
	} else if env.Window == nil {
		fmt.Fprintf(w, "This is the headless program: 'play' and '--backend gpu' need the window program, mbotdraw.\n")
	}
}
