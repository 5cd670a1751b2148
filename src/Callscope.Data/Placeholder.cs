namespace Callscope.Data; public static class Placeholder { }
