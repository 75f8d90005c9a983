"""Drawing boxes and masks on images and plotting image galleries (Keras 3's
`keras.visualization`). OpenCV (boxes) and matplotlib (galleries) are optional extras
(`pip install jkeras[visualization]`), imported when a function needs them."""
from jkeras.visualization.draw_bounding_boxes import draw_bounding_boxes
from jkeras.visualization.draw_segmentation_masks import draw_segmentation_masks
from jkeras.visualization.plot_bounding_box_gallery import plot_bounding_box_gallery
from jkeras.visualization.plot_image_gallery import plot_image_gallery
from jkeras.visualization.plot_segmentation_mask_gallery import plot_segmentation_mask_gallery

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery",
           "plot_image_gallery", "plot_segmentation_mask_gallery"]
