package app

// runPlot is not built yet; its issue replaces this file.
func runPlot(env *Env, args []string) error {
	return usagef("plot: not available yet")
}
