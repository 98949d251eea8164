/**
 * Experiments over many machine runs: a {@link hartlab.cli.experiment.Matrix} of configurations
 * (every value of every axis), their {@link hartlab.cli.experiment.Results} as rows whose columns
 * come from the kernel's statistics model, and the files a sweep leaves behind (CSV, JSON, plots,
 * an offline {@code index.html}). Everything here is a function of the rows, so a sweep split into
 * shards and merged writes byte for byte what one unsharded run writes; host timings go to their
 * own file.
 */
package hartlab.cli.experiment;
