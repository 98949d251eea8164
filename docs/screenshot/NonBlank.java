import java.awt.image.BufferedImage;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Fails (exit 1) unless a screenshot shows something: enough non-white pixels and colours for a
 * table and plots, not a blank or error page. {@code java NonBlank.java FILE.png}
 */
public final class NonBlank {
  public static void main(String[] args) throws Exception {
    BufferedImage img = ImageIO.read(new File(args[0]));
    if (img == null) {
      System.err.println(args[0] + ": not an image");
      System.exit(1);
    }
    long ink = 0;
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        int r = rgb >> 16, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
        if (r + g + b < 3 * 230) {
          ink++;
        }
      }
    }
    double share = (double) ink / ((long) img.getWidth() * img.getHeight());
    System.out.printf(
        "%s: %dx%d, %.1f%% ink, %d colours%n",
        args[0], img.getWidth(), img.getHeight(), 100 * share, colours.size());
    // A table and two coloured line plots: a few percent of ink and many anti-aliased colours.
    if (share < 0.02 || colours.size() < 50) {
      System.err.println(args[0] + ": looks blank");
      System.exit(1);
    }
  }
}
