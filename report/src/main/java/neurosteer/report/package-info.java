/** Experiments (sweeps, analyses), charts and the HTML report. */
package neurosteer.report;
