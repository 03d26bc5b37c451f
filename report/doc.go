// Package report holds the results of an experiment (results.json) and
// renders them: Markdown tables through github.com/olekukonko/tablewriter
// and PNG figures through gonum.org/v1/plot, with the reproduced numbers
// beside the published ones.
package report
