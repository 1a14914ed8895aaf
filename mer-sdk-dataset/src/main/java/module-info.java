/**
 * The labelled-audio dataset manifest shared by training ({@code python -m mer_train train
 * --manifest}) and evaluation ({@code mer evaluate}, {@code python -m mer_train evaluate}). Entry
 * point: {@link io.mersdk.dataset.DatasetManifest#read(java.nio.file.Path)}.
 */
module io.mersdk.dataset {
  requires transitive io.mersdk.api;
  requires io.mersdk.audio;
  requires org.apache.commons.csv;
  requires com.fasterxml.jackson.databind;

  exports io.mersdk.dataset;
}
