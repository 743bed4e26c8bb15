// BatchNorm2d's reductions (batchnorm_reductions.wgsl: the statistics and the backward pass's sums) with
// subgroup operations (subgroup_sum.wgsl): compiled only where the adapter has the `subgroups` feature,
// and there one more variant for the autotuner (src/layers/batchnorm.ts). The normalisation stays in
// batchnorm2d.wgsl.
enable subgroups;
// #include batchnorm_reductions.wgsl
// #include subgroup_sum.wgsl
