/**
 * {@code dtp eval --spark MASTER}: the evaluation as an Apache Spark job, images grouped into
 * partitions, one model per executor JVM, answers merged by the driver into the files a single-JVM
 * run writes.
 */
package dev.dtp.spark;
