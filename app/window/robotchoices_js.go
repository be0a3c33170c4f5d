package window

// robotChoices lists the robots C steps through in the browser, where a page
// cannot list the computer's serial ports: the virtual mBot, then the robots
// the page can reach.
func robotChoices() []string {
	return []string{"sim"}
}
